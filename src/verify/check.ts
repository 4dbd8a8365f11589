import { LifeboatError } from '../errors/index.js';
import { fullCollection, mapConcurrent } from '../lib/index.js';
import { decodeSnapshot, shortId, type Id } from '../model/index.js';
import type { MasterIndex, PackedBlob, Repository } from '../repo/index.js';
import { AffectedPaths } from './affected.js';
import type { CheckOptions, CheckPhase, CheckProblem, CheckReport } from './check-report.js';
import { judge, loadUnpackedChecked } from './checked-load.js';
import { loadIndexChecked, type CheckedIndex } from './index-check.js';
import { checkPackSizes, packProblems } from './pack-check.js';
import { PackVerifier } from './pack-verifier.js';
import type { PackVerdict } from './pack-verify.js';
import { parseReadDataSubset, selectPacks, type ReadDataSubset } from './read-data-subset.js';
import { checkTrees } from './tree-check.js';
import { TreeLoader } from './tree-loader.js';

/** Validated options: what `checkRepository` will do, decided before it touches the repository. */
export interface CheckPlan {
  readonly readData: boolean;
  readonly subset?: ReadDataSubset;
  /** As given, for the report: "all" when every pack is read. */
  readonly subsetText: string | null;
  readonly concurrency: number;
  readonly maxAffectedPaths: number;
}

/** Validates options; throws INVALID_ARGUMENT for a bad subset, concurrency or path limit. */
export function planCheck(opts: CheckOptions = {}): CheckPlan {
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new LifeboatError('INVALID_ARGUMENT', `check concurrency must be an integer from 1 to 256, got ${concurrency}`);
  }
  const maxAffectedPaths = opts.maxAffectedPaths ?? 1000;
  if (!Number.isInteger(maxAffectedPaths) || maxAffectedPaths < 0) {
    throw new LifeboatError('INVALID_ARGUMENT', `maxAffectedPaths must be a non-negative integer, got ${maxAffectedPaths}`);
  }
  if (opts.readDataSubset !== undefined) {
    return { readData: true, subset: parseReadDataSubset(opts.readDataSubset), subsetText: opts.readDataSubset.trim(), concurrency, maxAffectedPaths };
  }
  const readData = opts.readData === true;
  return { readData, subsetText: readData ? 'all' : null, concurrency, maxAffectedPaths };
}

/**
 * Checks a repository as `restic check` (0.14) does, and with `readData` as
 * `--read-data[-subset]`: index files, pack presence and sizes, snapshots, every reachable
 * tree, and optionally every byte of the packs. Damage becomes a problem in the report, never
 * an exception; only failures of the backend itself (I/O, permissions) are thrown. Each
 * problem about blobs names the snapshots and paths that depend on them. The caller holds
 * the lock.
 */
export async function checkRepository(repo: Repository, opts: CheckOptions = {}): Promise<CheckReport> {
  const plan = planCheck(opts);
  const progress = (phase: CheckPhase) => (done: number, total: number) => opts.reporter?.progress?.(done, total, phase);

  const idx = await loadIndexChecked(repo, plan.concurrency, progress('index'));
  const onBackend = new Map<Id, number>();
  for await (const f of repo.backend.list('data')) onBackend.set(f.name, f.size);
  const sizes = checkPackSizes(idx.packs, onBackend);
  progress('packs')(idx.packs.size, idx.packs.size);

  const candidates = [...idx.packs.keys()].filter((p) => !sizes.missing.has(p)).map((id) => ({ id, size: onBackend.get(id) ?? 0 }));
  const selected = plan.readData ? selectPacks(candidates, plan.subset, opts.random ?? Math.random) : [];
  const verifier = new PackVerifier(repo.key, selected.length > 1 ? (opts.workers ?? 1) - 1 : 0);
  const loader = new TreeLoader(repo, idx.index, sizes.missing);
  let snaps: Awaited<ReturnType<typeof loadSnapshots>>;
  let trees: Awaited<ReturnType<typeof checkTrees>>;
  let read: Awaited<ReturnType<typeof readPacks>>;
  try {
    // Packs are read (a few at once, see PackVerifier.packsAtOnce, each in pieces) while
    // this thread checks snapshots and trees: neither needs the other's result until the
    // report is put together, and the workers would otherwise wait for the trees.
    verifier.mainThreadBusy = true;
    const reading = readPacks(repo, idx, selected, Math.min(plan.concurrency, verifier.packsAtOnce), (pack, indexed) => verifier.verify(repo, pack, onBackend.get(pack) ?? 0, indexed), progress('read-data'));
    reading.catch(() => undefined); // awaited below; marked handled if the tree check throws first
    snaps = await loadSnapshots(repo, plan.concurrency, progress('snapshots'));
    trees = await checkTrees(loader, idx.index, [...new Set(snaps.loaded.map((s) => s.tree))], plan.concurrency, progress('trees'));
    // Decoding every tree grew V8's young generation; let it shrink while the packs go on.
    if (selected.length > 0) fullCollection();
    verifier.mainThreadBusy = false;
    read = await reading;
  } finally {
    await verifier.close();
  }
  const missingProblem = blobMissingProblem(trees.missing);

  const treeProblems = trees.problems.filter((p) => !(p.kind === 'blob-corrupt' && read.corruptKeys.has(`${p.blobs![0]}:${p.pack}`)));
  const errors: CheckProblem[] = [...idx.problems, ...sizes.problems, ...snaps.problems, ...treeProblems, ...(missingProblem ? [missingProblem] : []), ...read.problems];

  const badCopies = new Set<string>();
  const markPack = (pack: Id) => {
    for (const b of idx.packs.get(pack) ?? []) badCopies.add(`${b.id}:${pack}`);
  };
  for (const pack of [...sizes.missing, ...read.missing]) markPack(pack);
  // A pack of the wrong size that was read whole is judged blob by blob instead.
  for (const pack of sizes.wrongSize) if (!read.read.has(pack)) markPack(pack);
  for (const c of [...trees.corrupt, ...read.corrupt]) badCopies.add(`${c.blob}:${c.pack}`);
  const lost = lostBlobs(errors, idx.index, badCopies, trees.invalidTrees);
  if (lost.size > 0) {
    const affected = await AffectedPaths.find(loader, snaps.loaded, lost, plan.concurrency, progress('affected'));
    for (const p of errors) {
      const blobs = (p.blobs ?? []).filter((b) => lost.has(b));
      const a = blobs.length > 0 ? affected.of(blobs, plan.maxAffectedPaths) : [];
      if (a.length > 0) p.affected = a;
    }
  }

  return {
    ok: errors.length === 0,
    errors,
    hints: [...idx.hints, ...sizes.hints, ...trees.hints],
    indexFiles: idx.files,
    packs: idx.packs.size,
    packsChecked: idx.packs.size,
    unindexedPacks: sizes.unindexed,
    snapshots: snaps.total,
    trees: trees.trees,
    readData: plan.subsetText,
    packsRead: read.read.size,
    blobsRead: read.blobs,
    bytesRead: read.bytes,
  };
}

/**
 * The blobs of the problems that are really lost: no copy of them is known to be intact
 * (a blob may live in several packs), or they are trees that are not valid. Only these
 * make paths "affected".
 */
function lostBlobs(errors: readonly CheckProblem[], index: MasterIndex, badCopies: ReadonlySet<string>, invalidTrees: ReadonlySet<Id>): Set<Id> {
  const lost = new Set<Id>();
  for (const p of errors) {
    for (const b of p.blobs ?? []) {
      if (invalidTrees.has(b) || index.lookupAll(b).every((l) => badCopies.has(`${b}:${l.packId}`))) lost.add(b);
    }
  }
  return lost;
}

async function loadSnapshots(repo: Repository, concurrency: number, progress: (done: number, total: number) => void) {
  const ids = (await repo.listIds('snapshot')).sort();
  let done = 0;
  const results = await mapConcurrent(ids, concurrency, async (id) => {
    const plain = await loadUnpackedChecked(repo, 'snapshot', id);
    const snapshot = plain.ok ? judge(() => decodeSnapshot(plain.value)) : plain;
    progress(++done, ids.length);
    return { id, snapshot };
  });
  const loaded: { id: Id; tree: Id }[] = [];
  const problems: CheckProblem[] = [];
  for (const { id, snapshot } of results) {
    if (snapshot.ok) loaded.push({ id, tree: snapshot.value.tree });
    else problems.push({ kind: 'snapshot-invalid', snapshot: id, message: `snapshot ${shortId(id)} cannot be loaded: ${snapshot.message}` });
  }
  return { total: ids.length, loaded, problems };
}

function blobMissingProblem(missing: ReadonlyMap<Id, string>): CheckProblem | undefined {
  if (missing.size === 0) return undefined;
  const blobs = [...missing.keys()].sort();
  const shown = blobs.slice(0, 10).map((b) => `${missing.get(b)} ${shortId(b)}`);
  const more = blobs.length > shown.length ? ` and ${blobs.length - shown.length} more` : '';
  return { kind: 'blob-missing', blobs, message: `${blobs.length} blob(s) used by snapshots are not in any index: ${shown.join(', ')}${more}` };
}

/** Reads and verifies the selected packs, `concurrency` at a time. */
async function readPacks(
  repo: Repository,
  idx: CheckedIndex,
  packs: readonly Id[],
  concurrency: number,
  verify: (pack: Id, indexed: readonly PackedBlob[]) => Promise<{ bytes: number; verdict: PackVerdict } | undefined>,
  progress: (done: number, total: number) => void,
) {
  const out = {
    problems: [] as CheckProblem[],
    read: new Set<Id>(),
    missing: new Set<Id>(),
    corrupt: [] as { blob: Id; pack: Id }[],
    corruptKeys: new Set<string>(),
    blobs: 0,
    bytes: 0,
  };
  let done = 0;
  if (packs.length > 0) progress(0, packs.length);
  const results = await mapConcurrent(packs, concurrency, async (pack) => {
    const indexed = idx.packs.get(pack) ?? [];
    const r = await verify(pack, indexed);
    progress(++done, packs.length);
    return { pack, bytes: r?.bytes ?? 0, indexed, verdict: r?.verdict };
  });
  for (const { pack, bytes, indexed, verdict } of results) {
    if (!verdict) {
      // Listed a moment ago, gone now.
      out.missing.add(pack);
      out.problems.push({ kind: 'pack-missing', pack, blobs: indexed.map((b) => b.id), message: `pack ${shortId(pack)} does not exist (it disappeared during the check)` });
      continue;
    }
    out.read.add(pack);
    out.bytes += bytes;
    out.blobs += indexed.length;
    for (const c of verdict.corrupt) {
      out.corrupt.push({ blob: c.blob.id, pack });
      out.corruptKeys.add(`${c.blob.id}:${pack}`);
    }
    out.problems.push(...packProblems(pack, verdict));
  }
  return out;
}
