// The contract suite (backend.contract.ts) is not exported here: it imports node:test, which
// production code must not load. Backend test files import it directly.
export type { Backend, ByteRange, FileInfo } from './backend.js';
export { dirOf, displayPath, filePath, parseFilePath } from './layout.js';
export { checkRange } from './range.js';
export { MemBackend } from './mem-backend.js';
export { LocalBackend } from './local-backend.js';
export { withRetry, type RetryOptions } from './retry-backend.js';
export { withConcurrencyLimit } from './limit-backend.js';
export { readOnly } from './readonly-backend.js';
export { faulty, type BackendOp, type Fault, type FaultCall, type FaultPlan, type FaultyBackend } from './faulty-backend.js';
// The S3 and SFTP classes are not exported here: loading them loads the AWS SDK and ssh2.
// Import './s3-backend.js' or './sftp-backend.js' dynamically, behind lazyBackend.
export type { SftpOptions } from './sftp-backend.js';
export type { S3Options } from './s3-backend.js';
export { lazyBackend } from './lazy-backend.js';
export { s3LocationName, sftpLocationName } from './location-names.js';
export { parseLocationUrl, redactUrl, type LocationSpec } from './location-url.js';
export { MirrorBackend, errorLine, type MirrorMember, type MemberState } from './mirror-backend.js';
