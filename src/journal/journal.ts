import type { RunQuery, RunRecord, StoredRun } from './run-record.js';

/**
 * The append-only history of runs. A convenience, not the truth: every verdict can be rebuilt
 * from the repositories. So a journal never throws from `record`; when it cannot write, it
 * says why once in `problem` and carries on without.
 */
export interface Journal {
  /** Where it lives ('' for a journal in memory or none at all). */
  readonly path: string;
  /** Why the journal is not recording (damaged, unwritable, newer schema), if it is not. */
  readonly problem: string | undefined;
  /** Something worth telling once that did not stop recording (a damaged journal set aside). */
  readonly notice: string | undefined;
  record(run: RunRecord): void;
  /** Newest first. A journal that could not be opened has no runs. */
  runs(query?: RunQuery): StoredRun[];
  close(): void;
}

/** The journal used when none can be opened: records nothing, says why. */
export function unavailableJournal(path: string, problem: string): Journal {
  return { path, problem, notice: undefined, record: () => undefined, runs: () => [], close: () => undefined };
}
