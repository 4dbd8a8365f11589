import { RUN_KINDS, type Journal, type RunKind, type StoredRun } from '../journal/index.js';
import { LifeboatError } from '../errors/index.js';

export interface HistoryRequest {
  readonly app?: string;
  readonly kind?: string;
  readonly limit?: number;
}

export interface HistoryResult {
  readonly journal: string;
  /** Why the journal could not be read, when it could not (history is then empty). */
  readonly problem?: string;
  readonly runs: readonly StoredRun[];
}

export function readHistory(journal: Journal, req: HistoryRequest): HistoryResult {
  if (req.kind !== undefined && !(RUN_KINDS as readonly string[]).includes(req.kind)) {
    throw new LifeboatError('INVALID_ARGUMENT', `unknown run kind "${req.kind}"; expected one of ${RUN_KINDS.join(', ')}`);
  }
  const runs = journal.runs({
    ...(req.app === undefined ? {} : { app: req.app }),
    ...(req.kind === undefined ? {} : { kind: req.kind as RunKind }),
    limit: req.limit ?? 50,
  });
  const problem = journal.problem ?? journal.notice;
  return { journal: journal.path, ...(problem === undefined ? {} : { problem }), runs };
}
