export { Archiver, type BackupRequest, type BackupCounts, type BackupReporter, type ArchiveResult, type SourceError } from './archiver.js';
export { walkedTargets } from './target-tree.js';
