import type { Backend } from '../backend/index.js';
import { formatGoTime, type Id, type Snapshot } from '../model/index.js';
import { planForget, type ForgetPlan, type GroupBy, type RetentionPolicy, type SelectFilter } from '../policy/index.js';
import { Repository, type SnapshotEntry } from '../repo/index.js';
import type { Environment } from './environment.js';
import { pruneRepository, type PruneOptions, type PruneReport } from './prune.js';
import { repoEnv } from './repo-access.js';

export interface ForgetRequest {
  readonly policy: RetentionPolicy;
  readonly groupBy: GroupBy;
  readonly filter: SelectFilter;
  readonly dryRun?: boolean;
  /** Prune after removing snapshots (in the same exclusive lock). */
  readonly prune?: PruneOptions;
}

/** A snapshot as restic's --json shows it. */
export interface SnapshotJson {
  readonly id: Id;
  readonly short_id: string;
  readonly time: string;
  readonly parent?: Id;
  readonly tree: Id;
  readonly paths: readonly string[];
  readonly hostname: string;
  readonly username: string;
  readonly tags?: readonly string[];
}

/** One group as restic 0.14's `forget --json` prints it. */
export interface ForgetGroupJson {
  readonly host: string;
  readonly paths: readonly string[] | null;
  readonly tags: readonly string[] | null;
  readonly keep: readonly SnapshotJson[];
  readonly remove: readonly SnapshotJson[] | null;
  readonly reasons: readonly { snapshot: SnapshotJson; matches: readonly string[]; counters: Readonly<Record<string, number>> }[];
}

export interface ForgetReport {
  readonly dryRun: boolean;
  readonly groups: readonly ForgetGroupJson[];
  /** IDs of the snapshots removed (or that would be, with dryRun). */
  readonly removed: readonly Id[];
  readonly prune?: PruneReport;
}

/** A repository that can be opened again (prune's repacking needs a fresh instance). */
export interface Reopenable {
  readonly repo: Repository;
  readonly reopen: () => Promise<Repository>;
}

export async function openReopenable(backend: Backend, password: Uint8Array, env: Environment, keyHint?: Id): Promise<Reopenable> {
  const open = () => Repository.open(backend, password, repoEnv(env), keyHint ? { keyHint } : {});
  return { repo: await open(), reopen: open };
}

export function snapshotJson(id: Id, s: Snapshot): SnapshotJson {
  return {
    id,
    short_id: id.slice(0, 8),
    time: formatGoTime(s.time),
    ...(s.parent ? { parent: s.parent } : {}),
    tree: s.tree,
    paths: s.paths,
    hostname: s.hostname ?? '',
    username: s.username ?? '',
    ...(s.tags?.length ? { tags: s.tags } : {}),
  };
}

function groupsJson(plan: ForgetPlan<SnapshotEntry>): ForgetGroupJson[] {
  return plan.groups.map((g) => {
    const byId = new Map(g.keep.map((e) => [e.id, e]));
    return {
      host: g.key.host,
      paths: g.key.paths,
      tags: g.key.tags,
      keep: g.keep.map((e) => snapshotJson(e.id, e.snapshot)),
      remove: g.remove.length ? g.remove.map((e) => snapshotJson(e.id, e.snapshot)) : null,
      reasons: g.reasons.map((r) => ({ snapshot: snapshotJson(r.id, byId.get(r.id)!.snapshot), matches: r.matches, counters: r.counters })),
    };
  });
}

/**
 * Plans, then (unless dry run) removes the snapshots the policy does not keep, holding an
 * exclusive lock; with `prune`, prunes in the same lock. A dry run holds a shared lock.
 */
export async function forgetSnapshots(r: Reopenable, req: ForgetRequest): Promise<ForgetReport> {
  const dryRun = req.dryRun === true;
  return r.repo.withLock(!dryRun, async () => {
    const plan = planForget(await r.repo.listSnapshots(), req.policy, req.groupBy, req.filter);
    const removed = plan.remove.map((e) => e.id);
    if (!dryRun) for (const id of removed) await r.repo.backend.remove({ type: 'snapshot', name: id });
    const report: ForgetReport = { dryRun, groups: groupsJson(plan), removed };
    if (!req.prune || (removed.length === 0 && !dryRun)) return report;
    // A dry run prunes as if the snapshots were gone: plan against the kept ones only.
    const prune = await pruneRepository(r.repo, r.reopen, { ...req.prune, dryRun, ...(dryRun ? { without: new Set(removed) } : {}) });
    return { ...report, prune };
  });
}

/** `lifeboat prune`: an exclusive lock (shared for a dry run) around pruneRepository. */
export async function pruneWithLock(r: Reopenable, opts: PruneOptions): Promise<PruneReport> {
  return r.repo.withLock(opts.dryRun !== true, () => pruneRepository(r.repo, r.reopen, opts));
}
