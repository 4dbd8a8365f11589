import { isLifeboatError, LifeboatError, type ErrorCode } from '../errors/index.js';

/** What a file-system backend was doing when it failed; picks the verb and the advice. */
export type FsOp = 'save' | 'load' | 'stat' | 'list' | 'remove' | 'create';

/** Node's `err.code` (an errno name such as `ENOSPC`) → Lifeboat error code. */
export function codeForErrno(errno: string | undefined): ErrorCode {
  switch (errno) {
    case 'ENOENT':
      return 'BACKEND_NOT_FOUND';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'BACKEND_PERMISSION_DENIED';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'BACKEND_NO_SPACE';
    default:
      // Everything else (EIO, EMFILE, EBUSY, ETIMEDOUT on network mounts...) may pass; retry it.
      return 'BACKEND_IO';
  }
}

const VERBS: Record<FsOp, string> = {
  save: 'write',
  load: 'read',
  stat: 'look up',
  list: 'list',
  remove: 'remove',
  create: 'create',
};

function reasonAndAdvice(op: FsOp, errno: string | undefined, detail: string): [string, string] {
  switch (errno) {
    case 'ENOENT':
      if (op === 'remove') return ['no such file', 'it may have been removed already'];
      if (op === 'load' || op === 'stat') return ['no such file', 'check the repository path; if it is right, run a check of the repository'];
      return ['the folder does not exist', 'create the repository first, and check that the disk holding it is mounted'];
    case 'EACCES':
    case 'EPERM':
      return ['permission denied', 'check the owner and mode of the repository folder and its files, or run as a user who may access them'];
    case 'EROFS':
      return ['read-only file system', 'remount it read-write or choose another location'];
    case 'ENOSPC':
      return ['no space left on device', 'free space or choose another location'];
    case 'EDQUOT':
      return ['disk quota exceeded', 'free space, raise the quota or choose another location'];
    default:
      return [`I/O error (${detail})`, 'this may be temporary and is retried; if it persists, check the disk and its connection'];
  }
}

/**
 * Turns an error from `node:fs` into a LifeboatError whose message says what failed, where,
 * and what to do: "cannot write data/ab/ab12cd34… at /var/backups/x: no space left on device;
 * free space or choose another location". LifeboatErrors pass through unchanged.
 */
export function fsError(err: unknown, ctx: { op: FsOp; what: string; location: string }): LifeboatError {
  if (isLifeboatError(err)) return err;
  const errno = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  const [reason, advice] = reasonAndAdvice(ctx.op, errno, detail);
  return new LifeboatError(codeForErrno(errno), `cannot ${VERBS[ctx.op]} ${ctx.what} at ${ctx.location}: ${reason}; ${advice}`, {
    cause: err,
    data: { op: ctx.op, path: ctx.what, location: ctx.location, errno },
  });
}
