import { LifeboatError } from '../errors/index.js';
import type { RetentionSnapshot } from './retention-policy.js';

export interface GroupBy {
  readonly host: boolean;
  readonly paths: boolean;
  readonly tags: boolean;
}

/** restic's default `--group-by host,paths`. */
export const DEFAULT_GROUP_BY: GroupBy = Object.freeze({ host: true, paths: true, tags: false });

/** Parses `host,paths,tags` (any subset; '' puts every snapshot in one group). */
export function parseGroupBy(s: string): GroupBy {
  const g = { host: false, paths: false, tags: false };
  for (const part of s.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (p === 'host' || p === 'paths' || p === 'tags') g[p] = true;
    else throw new LifeboatError('INVALID_ARGUMENT', `unknown --group-by field "${p.slice(0, 20)}"; use host, paths and/or tags separated by commas`);
  }
  return g;
}

/** Which snapshots to consider at all (restic's --host, --tag, --path). */
export interface SelectFilter {
  /** Any of these hosts. */
  readonly hosts?: readonly string[];
  /** Snapshots having all tags of at least one list. */
  readonly tagLists?: readonly (readonly string[])[];
  /** Snapshots whose paths include all of these. */
  readonly paths?: readonly string[];
}

export function selectSnapshot(s: RetentionSnapshot, f: SelectFilter): boolean {
  const sn = s.snapshot;
  if (f.hosts?.length && !f.hosts.includes(sn.hostname ?? '')) return false;
  if (f.tagLists?.length && !f.tagLists.some((l) => l.every((t) => (sn.tags ?? []).includes(t)))) return false;
  if (f.paths?.length && !f.paths.every((p) => sn.paths.includes(p))) return false;
  return true;
}

/** A group's key as restic prints it: only the grouped fields are set; lists sorted. */
export interface GroupKey {
  readonly host: string;
  readonly paths: readonly string[] | null;
  readonly tags: readonly string[] | null;
}

export interface SnapshotGroup<T extends RetentionSnapshot> {
  readonly key: GroupKey;
  readonly snapshots: T[];
}

/** Groups in order of their first snapshot in the input. */
export function groupSnapshots<T extends RetentionSnapshot>(list: readonly T[], by: GroupBy): SnapshotGroup<T>[] {
  const groups = new Map<string, SnapshotGroup<T>>();
  for (const s of list) {
    const sn = s.snapshot;
    const key: GroupKey = {
      host: by.host ? (sn.hostname ?? '') : '',
      // An empty list is Go's nil slice, which restic prints as null.
      paths: by.paths && sn.paths.length > 0 ? [...sn.paths].sort() : null,
      tags: by.tags && (sn.tags?.length ?? 0) > 0 ? [...sn.tags!].sort() : null,
    };
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key, snapshots: [] }));
    g.snapshots.push(s);
  }
  return [...groups.values()];
}
