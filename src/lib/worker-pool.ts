import { Worker } from 'node:worker_threads';
import { LifeboatError, type ErrorCode } from '../errors/index.js';

/** What travels back from a worker for one task. */
export type TaskReply<R> =
  | { readonly seq: number; readonly event: unknown; readonly ok?: undefined }
  | { readonly seq: number; readonly ok: true; readonly value: R }
  | { readonly seq: number; readonly ok: false; readonly error: { code: ErrorCode; message: string; data: Record<string, unknown> } };

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  worker: number;
  onEvent: ((event: unknown) => void) | undefined;
}

/**
 * A fixed set of worker threads running one script (see `serveTasks`), each task going to
 * the worker with the fewest in flight unless the caller pins it (state kept in a worker).
 * Errors thrown in a worker come back as LifeboatErrors with their code.
 */
export class WorkerPool<T, R> {
  private workers: Worker[] = [];
  private load: number[] = [];
  private readonly count: number;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly script: URL,
    private readonly workerData: unknown,
    size: number,
  ) {
    this.count = Math.max(1, size);
  }

  /**
   * Threads start on the first task: a run that turns out to need none (an unchanged
   * re-backup) never pays for starting them, in time or in memory.
   */
  private start(): void {
    // A small young generation makes workers collect the buffers they pass on quickly:
    // they allocate hundreds of MiB a second, and that garbage is what would fill memory.
    this.workers = Array.from({ length: this.count }, () => new Worker(this.script, { workerData: this.workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } }));
    this.load = this.workers.map(() => 0);
    this.workers.forEach((w, i) => {
      w.on('message', (r: TaskReply<R>) => this.settle(r));
      w.on('error', (e) => this.failWorker(i, e));
    });
  }

  get size(): number {
    return this.count;
  }

  /** The worker with the fewest tasks in flight; `except` only when it is the only one. */
  leastLoaded(except?: number): number {
    if (this.workers.length === 0 && !this.closed) this.start();
    let best = -1;
    for (let i = 0; i < this.load.length; i++) if (i !== except && (best < 0 || this.load[i]! < this.load[best]!)) best = i;
    return best < 0 ? 0 : best;
  }

  /** `onEvent` receives what the task emits (see `serveTasks`) before it answers. */
  run(task: T, transfer: readonly ArrayBuffer[] = [], worker = this.leastLoaded(), onEvent?: (event: unknown) => void): Promise<R> {
    if (this.closed) return Promise.reject(new LifeboatError('INTERNAL', 'worker pool is closed'));
    if (this.workers.length === 0) this.start();
    const seq = ++this.seq;
    this.load[worker]!++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject, worker, onEvent });
      this.workers[worker]!.postMessage({ seq, task }, transfer as ArrayBuffer[]);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(r: TaskReply<R>): void {
    const p = this.pending.get(r.seq);
    if (!p) return;
    if (r.ok === undefined) {
      p.onEvent?.(r.event);
      return;
    }
    this.pending.delete(r.seq);
    this.load[p.worker]!--;
    if (r.ok) p.resolve(r.value);
    else p.reject(new LifeboatError(r.error.code, r.error.message, { data: r.error.data }));
  }

  private failWorker(i: number, e: unknown): void {
    for (const [seq, p] of this.pending) {
      if (p.worker !== i) continue;
      this.pending.delete(seq);
      p.reject(new LifeboatError('INTERNAL', `a worker thread failed: ${(e as Error)?.message ?? e}`, { cause: e }));
    }
  }
}

/** A copy that owns its whole ArrayBuffer (so it can be transferred), unless it already does. */
export function transferable(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer)) return b;
  return new Uint8Array(b);
}
