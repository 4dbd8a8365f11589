import { isLifeboatError, LifeboatError, type ErrorCode } from '../errors/index.js';
import type { FsOp } from './fs-error.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks). */
export const SFTP_STATUS = {
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

const VERBS: Record<FsOp, string> = { save: 'write', load: 'read', stat: 'look up', list: 'list', remove: 'remove', create: 'create' };

/** The numeric SFTP status of an ssh2 error, when it carries one. */
export function sftpStatus(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : undefined;
}

/**
 * Turns an ssh2 SFTP error into a LifeboatError. OpenSSH's server reports only a few causes
 * (missing, permission denied, "failure" for everything else, no space included); the save
 * path asks the server's file system before calling this, to tell "no space" apart
 * (`override`). LifeboatErrors pass through unchanged.
 */
export function sftpError(e: unknown, ctx: { op: FsOp; what: string; location: string; override?: { code: ErrorCode; reason: string; advice: string } }): LifeboatError {
  if (isLifeboatError(e)) return e;
  const status = sftpStatus(e);
  const detail = e instanceof Error ? e.message : String(e);
  let code: ErrorCode = 'BACKEND_IO';
  let reason = `${detail}`;
  let advice = 'this may be temporary and is retried; if it persists, check the server and the network';
  if (ctx.override) ({ code, reason, advice } = ctx.override);
  else if (status === SFTP_STATUS.NO_SUCH_FILE) {
    code = 'BACKEND_NOT_FOUND';
    reason = 'no such file';
    advice = ctx.op === 'save' || ctx.op === 'create' ? 'create the repository first, and check the path on the server' : 'check the repository path; if it is right, run a check of the repository';
  } else if (status === SFTP_STATUS.PERMISSION_DENIED) {
    code = 'BACKEND_PERMISSION_DENIED';
    reason = 'permission denied';
    advice = 'check the owner and mode of the repository folder on the server, or log in as a user who may write there';
  }
  return new LifeboatError(code, `cannot ${VERBS[ctx.op]} ${ctx.what} at ${ctx.location}: ${reason}; ${advice}`, {
    cause: e,
    data: { op: ctx.op, path: ctx.what, location: ctx.location, ...(status !== undefined ? { sftpStatus: status } : {}) },
  });
}

/** Errors of the ssh connection itself (before any file operation), with the right permanence. */
export function connectError(e: unknown, location: string, hostKey: LifeboatError | undefined): LifeboatError {
  if (hostKey) return hostKey;
  if (isLifeboatError(e)) return e;
  const level = typeof e === 'object' && e !== null && 'level' in e ? String(e.level) : '';
  const errno = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  const detail = e instanceof Error ? e.message : String(e);
  if (level === 'client-authentication') {
    return new LifeboatError('BACKEND_AUTH_FAILED', `the ssh server at ${location} refused the login (${detail}); check the user name, the identity file (LIFEBOAT_SFTP_IDENTITY) or the password, and the server's authorized_keys`, { cause: e });
  }
  const what = errno ? `${errno}` : detail;
  return new LifeboatError('BACKEND_IO', `cannot connect to ${location}: ${what}; check that the server is up and reachable (this is retried)`, { cause: e, data: { location, errno } });
}
