export { checkRepository, planCheck, type CheckPlan } from './check.js';
export type {
  AffectedSnapshot,
  CheckOptions,
  CheckPhase,
  CheckProblem,
  CheckProblemKind,
  CheckReport,
  CheckReporter,
} from './check-report.js';
export { parseReadDataSubset, selectPacks, type ReadDataSubset } from './read-data-subset.js';
