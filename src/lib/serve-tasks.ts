import { parentPort } from 'node:worker_threads';
import { LifeboatError } from '../errors/index.js';

/**
 * The worker side of WorkerPool: answers each task with `handle`'s value, transferring the
 * ArrayBuffers it lists, or with the error it threw (code and message kept).
 */
export function serveTasks<T, R>(handle: (task: T) => { value: R; transfer?: ArrayBuffer[] }): void {
  parentPort!.on('message', ({ seq, task }: { seq: number; task: T }) => {
    try {
      const { value, transfer } = handle(task);
      parentPort!.postMessage({ seq, ok: true, value }, transfer ?? []);
    } catch (e) {
      const error = e instanceof LifeboatError ? { code: e.code, message: e.message, data: e.data } : { code: 'INTERNAL', message: String((e as Error)?.message ?? e), data: {} };
      parentPort!.postMessage({ seq, ok: false, error });
    }
  });
}

/** The buffer of `b` when transferring it moves exactly these bytes. */
export function ownedBuffer(b: Uint8Array | undefined): ArrayBuffer[] {
  return b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? [b.buffer as ArrayBuffer] : [];
}
