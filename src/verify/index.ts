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
export { parseAppManifest, parseKeyInventory, parseDumpManifest, APP_MANIFEST_PATH, KEY_INVENTORY_PATH, DATABASES_DIR, type AppManifest, type EscrowedKey, type DumpManifest, type DumpEngine } from './app-layout.js';
export { verifyRestoredFiles, type RestoredFilesReport } from './restored-files.js';
