import { isLifeboatError, LifeboatError, type ErrorCode } from '../errors/index.js';
import type { FsOp } from './fs-error.js';

const VERBS: Record<FsOp, string> = { save: 'write', load: 'read', stat: 'look up', list: 'list', remove: 'remove', create: 'create' };

/** The HTTP status of an AWS SDK error, when the request got an answer. */
export function httpStatus(e: unknown): number | undefined {
  const meta = typeof e === 'object' && e !== null && '$metadata' in e ? (e as { $metadata?: { httpStatusCode?: number } }).$metadata : undefined;
  return meta?.httpStatusCode;
}

function nameOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e ? String(e.name) : '';
}

const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'InvalidClientTokenId', 'AuthorizationHeaderMalformed']);
const NO_SPACE = new Set(['QuotaExceeded', 'XMinioStorageFull', 'StorageFull', 'InsufficientStorage']);

/** Which Backend code an SDK error means; unanswered requests and 5xx are transient. */
export function codeForS3(e: unknown): ErrorCode {
  const status = httpStatus(e);
  const name = nameOf(e);
  if (AUTH.has(name)) return 'BACKEND_AUTH_FAILED';
  if (NO_SPACE.has(name) || status === 507) return 'BACKEND_NO_SPACE';
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') return 'BACKEND_NOT_FOUND';
  if (status === 401) return 'BACKEND_AUTH_FAILED';
  if (status === 403) return 'BACKEND_PERMISSION_DENIED';
  return 'BACKEND_IO';
}

const ADVICE: Record<string, string> = {
  BACKEND_AUTH_FAILED: 'check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the credentials file) for this endpoint',
  BACKEND_PERMISSION_DENIED: 'check the access key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the bucket policy',
  BACKEND_NO_SPACE: 'the bucket is full or over quota; free space or raise the quota',
  BACKEND_IO: 'this may be temporary and is retried; if it persists, check the endpoint and the network',
};

/**
 * Turns an AWS SDK error into a LifeboatError saying what failed, where and what to do. The
 * SDK's messages are kept short and never include request headers, so no credential leaks.
 */
export function s3Error(e: unknown, ctx: { op: FsOp; what: string; location: string }): LifeboatError {
  if (isLifeboatError(e)) return e;
  const code = codeForS3(e);
  const status = httpStatus(e);
  const name = nameOf(e) || 'Error';
  const errno = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  let reason = status !== undefined ? `${name} (HTTP ${status})` : `no answer (${errno ?? name})`;
  let advice = ADVICE[code] ?? ADVICE['BACKEND_IO']!;
  if (code === 'BACKEND_NOT_FOUND') {
    const noBucket = name === 'NoSuchBucket';
    reason = noBucket ? 'no such bucket' : 'no such file';
    advice = noBucket || ctx.op === 'save' ? 'create the repository first (lifeboat init), and check the bucket name' : 'check the repository location; if it is right, run a check of the repository';
  }
  return new LifeboatError(code, `cannot ${VERBS[ctx.op]} ${ctx.what} at ${ctx.location}: ${reason}; ${advice}`, {
    cause: e,
    data: { op: ctx.op, path: ctx.what, location: ctx.location, ...(status !== undefined ? { httpStatus: status } : {}) },
  });
}
