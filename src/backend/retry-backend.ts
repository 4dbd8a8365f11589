import { setTimeout as delay } from 'node:timers/promises';
import { isLifeboatError, LifeboatError } from '../errors/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';

export interface RetryOptions {
  /** Tries in all, the first one included (1 = no retry). */
  readonly attempts: number;
  /** Wait before the first retry; doubles on each further one, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  /** Cap on one wait. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Injected so tests do not wait; default is a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter; default Math.random. */
  readonly random?: () => number;
  /** Called before each wait, e.g. to report "retrying upload in 2 s". */
  readonly onRetry?: (info: { op: string; attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Errors worth another try: LifeboatErrors marked retryable (BACKEND_IO) and errors nobody
 * classified (a socket reset from an SDK). Permanent ones (not found, permission, no space,
 * invalid argument) fail at once, because trying again only delays the message.
 */
function isTransient(e: unknown): boolean {
  return isLifeboatError(e) ? e.retryable : true;
}

/**
 * Wraps a backend so that transient failures are tried again with exponential backoff and
 * jitter (each wait is drawn from [d/2, d], so many clients that failed together do not come
 * back together). Every verb of the Backend contract is safe to repeat: save is atomic and
 * overwrites, load is idempotent. A listing is retried only while it has yielded nothing,
 * because the consumer has already acted on what it got.
 */
export function withRetry(b: Backend, opts: RetryOptions): Backend {
  if (!Number.isInteger(opts.attempts) || opts.attempts < 1) {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid retry attempts ${opts.attempts}: expected an integer of at least 1`);
  }
  const sleep = opts.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  const random = opts.random ?? Math.random;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;

  /** Waits before retry number `attempt` (1-based), or rethrows when no retry is left or useful. */
  async function backOff(op: string, attempt: number, error: unknown): Promise<void> {
    if (attempt >= opts.attempts || !isTransient(error)) throw error;
    const full = Math.min(maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
    const delayMs = Math.round(full / 2 + (random() * full) / 2);
    opts.onRetry?.({ op, attempt, delayMs, error });
    await sleep(delayMs);
  }

  async function run<T>(op: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (e) {
        await backOff(op, attempt, e);
      }
    }
  }

  return {
    location: b.location,
    save: (h: Handle, data: Uint8Array) => run('save', () => b.save(h, data)),
    ...(b.saveFile ? { saveFile: (h: Handle, path: string) => run('save', () => b.saveFile!(h, path)) } : {}),
    // A path, not an operation: nothing to retry or to count against the limit.
    ...(b.localFile ? { localFile: (h: Handle) => b.localFile!(h) } : {}),
    load: (h: Handle, range?: ByteRange) => run('load', () => b.load(h, range)),
    stat: (h: Handle) => run('stat', () => b.stat(h)),
    remove: (h: Handle) =>
      run('remove', async (attempt) => {
        try {
          await b.remove(h);
        } catch (e) {
          // An earlier attempt may have removed the file and only lost the answer; absent is
          // what the caller asked for.
          if (attempt > 1 && isLifeboatError(e, 'BACKEND_NOT_FOUND')) return;
          throw e;
        }
      }),
    create: () => run('create', () => b.create()),
    close: () => b.close(),
    async *list(type: FileType): AsyncIterable<FileInfo> {
      for (let attempt = 1; ; attempt++) {
        let yielded = false;
        try {
          for await (const info of b.list(type)) {
            yielded = true;
            yield info;
          }
          return;
        } catch (e) {
          if (yielded) throw e;
          await backOff('list', attempt, e);
        }
      }
    },
  };
}
