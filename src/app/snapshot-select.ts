import { LifeboatError } from '../errors/index.js';
import type { Repository, SnapshotEntry } from '../repo/index.js';

export interface SnapshotFilter {
  readonly host?: string;
  readonly tags?: readonly string[];
  readonly paths?: readonly string[];
}

export function matchesFilter(e: SnapshotEntry, f: SnapshotFilter): boolean {
  const s = e.snapshot;
  if (f.host !== undefined && s.hostname !== f.host) return false;
  if (f.tags && f.tags.length > 0 && !f.tags.every((t) => s.tags?.includes(t))) return false;
  if (f.paths && f.paths.length > 0 && !f.paths.every((p) => s.paths.includes(p))) return false;
  return true;
}

/**
 * Finds one snapshot by ID, unique ID prefix, or "latest" (newest matching the filter).
 */
export async function findSnapshot(repo: Repository, ref: string, filter: SnapshotFilter = {}): Promise<SnapshotEntry> {
  if (ref === 'latest') {
    const all = (await repo.listSnapshots()).filter((e) => matchesFilter(e, filter));
    const latest = all[all.length - 1];
    if (!latest) throw new LifeboatError('SNAPSHOT_NOT_FOUND', `no snapshot found${describeFilter(filter)}; make one with "lifeboat backup"`);
    return latest;
  }
  if (!/^[0-9a-f]{1,64}$/.test(ref)) throw new LifeboatError('INVALID_ARGUMENT', `"${ref}" is not a snapshot ID; give an ID (or a prefix of one) or "latest"`);
  const ids = (await repo.listIds('snapshot')).filter((id) => id.startsWith(ref));
  if (ids.length === 0) throw new LifeboatError('SNAPSHOT_NOT_FOUND', `no snapshot with ID ${ref}; list them with "lifeboat snapshots"`);
  if (ids.length > 1) throw new LifeboatError('SNAPSHOT_AMBIGUOUS', `the prefix ${ref} matches ${ids.length} snapshots; give more digits`);
  return { id: ids[0]!, snapshot: await repo.loadSnapshot(ids[0]!) };
}

/** restic's parent choice: the latest snapshot with the same host and the same set of paths. */
export async function findParent(repo: Repository, host: string, paths: readonly string[]): Promise<SnapshotEntry | undefined> {
  const want = [...paths].sort().join('\0');
  const all = await repo.listSnapshots();
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i]!.snapshot;
    if (s.hostname === host && [...s.paths].sort().join('\0') === want) return all[i];
  }
  return undefined;
}

function describeFilter(f: SnapshotFilter): string {
  const parts: string[] = [];
  if (f.host) parts.push(`host ${f.host}`);
  if (f.tags?.length) parts.push(`tags ${f.tags.join(',')}`);
  if (f.paths?.length) parts.push(`paths ${f.paths.join(',')}`);
  return parts.length ? ` for ${parts.join(', ')}` : '';
}
