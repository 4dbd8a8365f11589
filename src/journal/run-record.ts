/** What ran: a backup to one location, a check, a drill, a key observation, a guard verdict. */
export const RUN_KINDS = ['backup', 'check', 'drill', 'keys', 'guard'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * One run as the journal keeps it. `summary` is one line for people; `details` is the
 * command's JSON result (which never holds a secret). `snapshot` is the snapshot the run made
 * or examined, when there is one.
 */
export interface RunRecord {
  readonly kind: RunKind;
  readonly app?: string;
  readonly location?: string;
  readonly snapshot?: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly summary: string;
  readonly details?: unknown;
}

/** A stored run: the record and its position in the journal. */
export interface StoredRun extends RunRecord {
  readonly id: number;
}

export interface RunQuery {
  readonly app?: string;
  readonly kind?: RunKind;
  readonly location?: string;
  /** Newest first; at most this many (default 100). */
  readonly limit?: number;
}
