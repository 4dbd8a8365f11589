import { parentPort } from 'node:worker_threads';
import { LifeboatError } from '../errors/index.js';

/** What a task's handler answers: the value, and the ArrayBuffers to move instead of copy. */
export interface TaskAnswer<R> {
  readonly value: R;
  readonly transfer?: ArrayBuffer[];
}

/**
 * Lets a long task report progress before it answers: each event reaches the listener the
 * caller gave `WorkerPool.run`, in order, and all of them before the task's answer.
 */
export type EmitEvent = (event: unknown, transfer?: ArrayBuffer[]) => void;

/**
 * The worker side of WorkerPool: answers each task with `handle`'s value, transferring the
 * ArrayBuffers it lists, or with the error it threw (code and message kept). A handler may
 * be async: other tasks are then served while it waits (a reader paused for decisions must
 * still receive them).
 */
export function serveTasks<T, R>(handle: (task: T, emit: EmitEvent) => TaskAnswer<R> | Promise<TaskAnswer<R>>): void {
  const reply = (seq: number, e: unknown) => {
    const error = e instanceof LifeboatError ? { code: e.code, message: e.message, data: e.data } : { code: 'INTERNAL', message: String((e as Error)?.message ?? e), data: {} };
    parentPort!.postMessage({ seq, ok: false, error });
  };
  parentPort!.on('message', ({ seq, task }: { seq: number; task: T }) => {
    const emit: EmitEvent = (event, transfer) => parentPort!.postMessage({ seq, event }, transfer ?? []);
    const answer = (a: TaskAnswer<R>) => parentPort!.postMessage({ seq, ok: true, value: a.value }, a.transfer ?? []);
    try {
      const a = handle(task, emit);
      if (a instanceof Promise) a.then(answer, (e) => reply(seq, e));
      else answer(a);
    } catch (e) {
      reply(seq, e);
    }
  });
}

/** The buffer of `b` when transferring it moves exactly these bytes. */
export function ownedBuffer(b: Uint8Array | undefined): ArrayBuffer[] {
  return b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? [b.buffer as ArrayBuffer] : [];
}
