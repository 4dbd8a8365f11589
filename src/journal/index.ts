export { RUN_KINDS, type RunKind, type RunRecord, type StoredRun, type RunQuery } from './run-record.js';
export { type Journal, unavailableJournal } from './journal.js';
export { openJournal, JOURNAL_FILE, JOURNAL_SCHEMA_VERSION } from './sqlite-journal.js';
