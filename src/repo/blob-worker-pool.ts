import { Worker } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { SealedBlob } from './blob-codec.js';
import type { BlobReply, BlobTask } from './blob-worker-protocol.js';
import type { CompressionMode } from './compression.js';

/** A blob hashed on a worker and held there. */
export interface HeldBlob {
  readonly id: Id;
  readonly worker: number;
  readonly seq: number;
}

interface Pending {
  resolve(r: BlobReply & { ok: true }): void;
  reject(e: unknown): void;
  worker: number;
}

/**
 * Worker threads that seal (compress + encrypt) and open (decrypt + decompress + verify)
 * blobs, so these run on every core while the main thread reads files and talks to
 * backends. Tasks go to the worker with the fewest in flight.
 */
export class BlobWorkerPool {
  private readonly workers: Worker[];
  private readonly load: number[];
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;

  constructor(key: MasterKey, size: number) {
    const url = new URL('./blob-worker.js', import.meta.url);
    this.workers = Array.from({ length: Math.max(1, size) }, () => new Worker(url, { workerData: { key } }));
    this.load = this.workers.map(() => 0);
    this.workers.forEach((w, i) => {
      w.on('message', (r: BlobReply) => this.settle(r));
      w.on('error', (e) => this.failWorker(i, e));
    });
  }

  get size(): number {
    return this.workers.length;
  }

  seal(id: Id, plain: Uint8Array, mode: CompressionMode, isTree: boolean): Promise<SealedBlob> {
    const own = ownBuffer(plain);
    return this.run({ op: 'seal', seq: 0, id, plain: own, mode, isTree }, [own.buffer as ArrayBuffer]).then((r) => ({ id, sealed: r.data!, uncompressedLength: r.uncompressedLength }));
  }

  open(id: Id, sealed: Uint8Array, uncompressedLength: number): Promise<Uint8Array> {
    const own = ownBuffer(sealed);
    return this.run({ op: 'open', seq: 0, id, sealed: own, uncompressedLength }, [own.buffer as ArrayBuffer]).then((r) => r.data!);
  }

  /** Hashes on a worker, which keeps the data until `sealHeld` or `drop`. */
  async hash(plain: Uint8Array): Promise<HeldBlob> {
    const own = ownBuffer(plain);
    const worker = this.leastLoaded();
    const seq = this.seq + 1; // the seq `run` assigns next, synchronously
    const r = await this.run({ op: 'hash', seq: 0, plain: own }, [own.buffer as ArrayBuffer], worker);
    return { id: r.id!, worker, seq };
  }

  sealHeld(h: HeldBlob, mode: CompressionMode, isTree: boolean): Promise<SealedBlob> {
    return this.run({ op: 'seal-held', seq: 0, held: h.seq, mode, isTree }, [], h.worker).then((r) => ({ id: h.id, sealed: r.data!, uncompressedLength: r.uncompressedLength }));
  }

  drop(h: HeldBlob): void {
    void this.run({ op: 'drop', seq: 0, held: h.seq }, [], h.worker).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    return best;
  }

  private run(task: BlobTask, transfer: ArrayBuffer[], worker?: number): Promise<BlobReply & { ok: true }> {
    if (this.closed) return Promise.reject(new LifeboatError('INTERNAL', 'blob worker pool is closed'));
    const best = worker ?? this.leastLoaded();
    const seq = ++this.seq;
    this.load[best]!++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, worker: best });
      this.workers[best]!.postMessage({ ...task, seq }, transfer);
    });
  }

  private settle(r: BlobReply): void {
    const p = this.pending.get(r.seq);
    if (!p) return;
    this.pending.delete(r.seq);
    this.load[p.worker]!--;
    if (r.ok) p.resolve(r);
    else p.reject(new LifeboatError(r.error.code, r.error.message, { data: r.error.data }));
  }

  private failWorker(i: number, e: unknown): void {
    for (const [seq, p] of this.pending) {
      if (p.worker !== i) continue;
      this.pending.delete(seq);
      p.reject(new LifeboatError('INTERNAL', `a blob worker failed: ${(e as Error)?.message ?? e}`, { cause: e }));
    }
  }
}

/** A copy that owns its whole ArrayBuffer (so it can be transferred), unless it already does. */
function ownBuffer(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer)) return b;
  return new Uint8Array(b);
}
