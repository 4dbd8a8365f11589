import type { Id } from '../model/index.js';

/** What kind of damage a problem is; stable strings, printed in `--json`. */
export type CheckProblemKind =
  | 'index-invalid'
  | 'pack-missing'
  | 'pack-size'
  | 'pack-hash'
  | 'pack-header'
  | 'blob-corrupt'
  | 'blob-missing'
  | 'tree-invalid'
  | 'snapshot-invalid';

/** The files of one snapshot that depend on the blobs of a problem. */
export interface AffectedSnapshot {
  readonly snapshot: Id;
  /** Paths inside the snapshot ("/" when the root tree itself is affected). */
  readonly paths: string[];
  /** How many more paths were left out to keep the report small. */
  readonly more?: number;
}

/** One error found by check. Plain data. */
export interface CheckProblem {
  readonly kind: CheckProblemKind;
  readonly message: string;
  readonly pack?: Id;
  readonly index?: Id;
  readonly snapshot?: Id;
  /** Blobs the problem concerns (for a pack: what the index says it holds, or the damaged ones). */
  readonly blobs?: Id[];
  /** Snapshots and paths that cannot be restored intact because of this problem. */
  affected?: AffectedSnapshot[];
}

export interface CheckReport {
  /** True when `errors` is empty; hints never make a check fail. */
  ok: boolean;
  errors: CheckProblem[];
  /** Things worth knowing that are not damage (unreferenced packs, packs in several indexes). */
  hints: string[];
  indexFiles: number;
  /** Packs listed in the index. */
  packs: number;
  /** Indexed packs whose presence and size were compared with the backend. */
  packsChecked: number;
  /** Packs on the backend that no index lists. */
  unindexedPacks: number;
  snapshots: number;
  /** Distinct tree blobs that loaded intact and were checked. */
  trees: number;
  /** `null` without --read-data; otherwise the subset read ("all" for every pack). */
  readData: string | null;
  packsRead: number;
  blobsRead: number;
  bytesRead: number;
}

export interface CheckReporter {
  /** `total` may grow during the tree walk, whose size is only known at its end. */
  progress?(done: number, total: number, phase: CheckPhase): void;
}

export type CheckPhase = 'index' | 'packs' | 'snapshots' | 'trees' | 'read-data' | 'affected';

export interface CheckOptions {
  /** Read every pack (or the subset) and verify every blob. */
  readonly readData?: boolean;
  /** "n/t", "x%" or a size ("500M"), as restic's --read-data-subset; implies readData. */
  readonly readDataSubset?: string;
  /** Backend loads in flight (packs are read whole, so this bounds memory). Default 4. */
  readonly concurrency?: number;
  /** Threads that verify packs with --read-data: this one and `workers - 1` worker threads (0 or 1: this one only). */
  readonly workers?: number;
  readonly reporter?: CheckReporter;
  /** Paths listed per snapshot and problem before the rest is only counted. Default 1000. */
  readonly maxAffectedPaths?: number;
  /** Random numbers in [0, 1) for "x%" and size subsets; injected so tests are deterministic. */
  readonly random?: () => number;
}
