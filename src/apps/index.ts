export { discoverApp } from './discover-app.js';
export { PRESET_NAMES, type PresetName, type PresetContext, type Discovery } from './preset-types.js';
// Re-exported so that verify/ (which may import apps but not sources) reaches them: the
// restore drill restores dumps with restoreDatabaseDump, key checks use keyFingerprint.
export { restoreDatabaseDump, keyFingerprint, nodeProcessRunner, type DatabaseRestoreRequest, type DatabaseRestoreResult, type ProcessRunner, type DumpMetadata, type KeyInventory } from '../sources/index.js';
