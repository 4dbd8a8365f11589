import type { Id } from '../model/index.js';
import { planPrune, type MaxUnused, type PrunePlan } from '../policy/index.js';
import { decodeIndexFile, encodeIndexFile, RepoWriter, type IndexedPack, type Repository } from '../repo/index.js';
import { usedBlobs } from './prune-used-blobs.js';

export interface PruneOptions {
  readonly dryRun?: boolean;
  readonly maxUnused?: MaxUnused;
  /** Steps done, for progress and for the crash tests' log. */
  readonly onStep?: (step: PruneStep) => void;
  /** Snapshots to treat as already gone (forget --dry-run --prune). */
  readonly without?: ReadonlySet<Id>;
}

export type PruneStep = 'planned' | 'repacked' | 'indexed' | 'old-index-removed' | 'packs-removed';

export interface PruneReport {
  readonly dryRun: boolean;
  readonly packs: { readonly keep: number; readonly repack: number; readonly remove: number; readonly unreferenced: number; readonly missing: number };
  readonly stats: PrunePlan['stats'];
  readonly snapshots: number;
  /** Packs written by repacking. */
  readonly packsWritten: number;
  readonly indexFilesRemoved: number;
}

const BLOBS_PER_INDEX = 50_000;

/**
 * Prunes an open repository whose exclusive lock the caller holds. `reopen` opens the same
 * repository again (a fresh instance, whose index holds only what is written here): the
 * writer that repacks must not see the old packs, or it would deduplicate against them.
 *
 * Order is restic's, so that a crash at any moment leaves a consistent repository that the
 * next prune finishes: new packs and their index, then an index of every kept pack, then
 * the old index files are removed, and only then the packs nobody needs.
 */
export async function pruneRepository(repo: Repository, reopen: () => Promise<Repository>, opts: PruneOptions = {}): Promise<PruneReport> {
  const { packs, indexIds } = await readIndexFiles(repo);
  await repo.loadIndex();
  const snapshots = (await repo.listSnapshots()).filter((s) => !opts.without?.has(s.id));
  const used = await usedBlobs(repo, snapshots);
  const stored = new Map<Id, number>();
  for await (const f of repo.backend.list('data')) stored.set(f.name, f.size);
  const plan = planPrune({ indexed: packs, stored, used }, opts.maxUnused);
  opts.onStep?.('planned');
  const report = (packsWritten: number, indexFilesRemoved: number): PruneReport => ({
    dryRun: opts.dryRun === true,
    packs: { keep: plan.keep.length, repack: plan.repack.length, remove: plan.remove.length, unreferenced: plan.unreferenced.length, missing: plan.missing.length },
    stats: plan.stats,
    snapshots: snapshots.length,
    packsWritten,
    indexFilesRemoved,
  });
  const changes = plan.repack.length + plan.remove.length + plan.missing.length;
  if (opts.dryRun || (changes === 0 && plan.unreferenced.length === 0)) return report(0, 0);

  const byId = new Map(packs.map((p) => [p.id, p]));
  const kept = plan.keep.map((id) => byId.get(id)!);
  let written: IndexedPack[] = [];
  if (plan.copy.length > 0) written = await repack(repo, await reopen(), kept, plan);
  opts.onStep?.('repacked');
  let removedIndexes = 0;
  if (changes > 0) {
    // The writer indexed its own packs; the kept ones get new index files here.
    for (let i = 0; i < kept.length; ) {
      const batch: IndexedPack[] = [];
      for (let n = 0; i < kept.length && n < BLOBS_PER_INDEX; i++) {
        batch.push(kept[i]!);
        n += kept[i]!.blobs.length;
      }
      await repo.saveUnpacked('index', encodeIndexFile({ packs: batch }));
    }
    opts.onStep?.('indexed');
    for (const id of indexIds) {
      await repo.backend.remove({ type: 'index', name: id });
      removedIndexes++;
    }
    opts.onStep?.('old-index-removed');
  }
  for (const id of [...plan.remove, ...plan.repack, ...plan.unreferenced]) await repo.backend.remove({ type: 'data', name: id });
  opts.onStep?.('packs-removed');
  return report(written.length, removedIndexes);
}

/** Every pack of every index file, once each (a pack listed twice keeps its first entry). */
async function readIndexFiles(repo: Repository): Promise<{ packs: IndexedPack[]; indexIds: Id[] }> {
  const indexIds = await repo.listIds('index');
  const seen = new Map<Id, IndexedPack>();
  for (const id of indexIds) {
    for (const p of decodeIndexFile(await repo.loadUnpacked('index', id)).packs) if (!seen.has(p.id)) seen.set(p.id, p);
  }
  return { packs: [...seen.values()], indexIds };
}

/** Copies the plan's blobs (each verified when read) into new packs of `target`. */
async function repack(repo: Repository, target: Repository, kept: readonly IndexedPack[], plan: PrunePlan): Promise<IndexedPack[]> {
  for (const p of kept) target.index.addPack(p);
  const before = new Set(target.index.packs());
  const writer = new RepoWriter(target, {});
  for (const b of plan.copy) await writer.saveBlob(b.type, await repo.loadBlob(b.type, b.id), b.id);
  await writer.flush();
  return target.index.byPack().filter((p) => !before.has(p.id));
}
