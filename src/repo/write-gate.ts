import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from '../backend/index.js';

/** A backend whose writes wait for `open()`, and fail with the reason given to `shut()`. */
export interface WriteGate {
  readonly backend: Backend;
  /** Lets held and later writes through. */
  open(): void;
  /** Fails held and later writes with `reason`; none of them reaches the wrapped backend. */
  shut(reason: unknown): void;
}

/**
 * Wraps a backend so that `save`, `saveFile`, `remove` and `create` wait until the gate opens
 * (reads pass at once). A backup starts while its repository lock settles, and the lock holds
 * only after restic's second look for conflicting locks: until then nothing it does may reach
 * the repository, and if the lock fails, nothing ever does. Stack it outermost, above retry:
 * a shut gate's reason (REPO_LOCKED) is retryable, and must not be retried.
 */
export function writeGate(b: Backend): WriteGate {
  let settle!: { open: () => void; shut: (reason: unknown) => void };
  const passed = new Promise<void>((open, shut) => (settle = { open, shut }));
  passed.catch(() => undefined); // a gate shut with no write waiting is no unhandled rejection
  const held =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await passed;
      return op(...args);
    };
  return {
    backend: {
      location: b.location,
      save: held((h: Handle, data: Uint8Array) => b.save(h, data)),
      ...(b.saveFile ? { saveFile: held((h: Handle, path: string) => b.saveFile!(h, path)) } : {}),
      remove: held((h: Handle) => b.remove(h)),
      create: held(() => b.create()),
      ...(b.localFile ? { localFile: (h: Handle) => b.localFile!(h) } : {}),
      load: (h: Handle, range?: ByteRange) => b.load(h, range),
      stat: (h: Handle) => b.stat(h),
      list: (type: FileType): AsyncIterable<FileInfo> => b.list(type),
      close: () => b.close(),
    },
    open: () => settle.open(),
    shut: (reason) => settle.shut(reason),
  };
}
