import { LifeboatError } from '../errors/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';

/** A counting semaphore: FIFO, so a burst of saves cannot starve an earlier load. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(n: number) {
    this.#free = n;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot jump the queue.
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#free++;
    }
  }
}

/**
 * Wraps a backend so that at most `n` operations are in flight at once (connections of an
 * sftp server, requests to an object store, seeks of a USB disk).
 *
 * A listing holds a slot only while the backend produces its next entry, not while the
 * consumer handles it: `for await (f of list('lock')) await load(f)` would otherwise deadlock
 * with n = 1.
 */
export function withConcurrencyLimit(b: Backend, n: number): Backend {
  if (!Number.isInteger(n) || n < 1) {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid concurrency limit ${n}: expected an integer of at least 1`);
  }
  const slots = new Slots(n);
  return {
    location: b.location,
    save: (h: Handle, data: Uint8Array) => slots.run(() => b.save(h, data)),
    ...(b.saveFile ? { saveFile: (h: Handle, path: string) => slots.run(() => b.saveFile!(h, path)) } : {}),
    // A path, not an operation: nothing to retry or to count against the limit.
    ...(b.localFile ? { localFile: (h: Handle) => b.localFile!(h) } : {}),
    load: (h: Handle, range?: ByteRange) => slots.run(() => b.load(h, range)),
    stat: (h: Handle) => slots.run(() => b.stat(h)),
    remove: (h: Handle) => slots.run(() => b.remove(h)),
    create: () => slots.run(() => b.create()),
    // Not limited: closing must not wait behind queued work it is meant to end.
    close: () => b.close(),
    async *list(type: FileType): AsyncIterable<FileInfo> {
      const it = b.list(type)[Symbol.asyncIterator]();
      let finished = false;
      try {
        for (;;) {
          const r = await slots.run(() => it.next());
          if (r.done === true) {
            finished = true;
            return;
          }
          yield r.value;
        }
      } finally {
        // The consumer stopped early (break, throw): let the inner listing clean up too.
        if (!finished) await it.return?.();
      }
    },
  };
}
