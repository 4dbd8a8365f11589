import type { MasterKey } from '../crypto/index.js';
import { WorkerPool, transferable } from '../lib/index.js';
import type { Id } from '../model/index.js';
import type { SealedBlob } from './blob-codec.js';
import type { BlobResult, BlobTask, ChunkEvent, FileReadOutcome, FileToRead, PackTarget, SealedHeld } from './blob-worker-protocol.js';
import type { CompressionMode } from './compression.js';
import type { SpilledPack } from './pack-spill.js';

/** A blob hashed on a worker and held there until sealed or dropped. */
export interface HeldBlob {
  readonly id: Id;
  readonly worker: number;
  readonly ticket: number;
}

/**
 * Worker threads that hash and seal (compress + encrypt) blobs, and open (decrypt +
 * decompress + verify) them, so these run on every core while the main thread reads files
 * and talks to backends.
 */
export class BlobWorkerPool {
  private readonly pool: WorkerPool<BlobTask, BlobResult>;
  private tickets = 0;

  constructor(key: MasterKey, size: number) {
    this.pool = new WorkerPool(new URL('./blob-worker.js', import.meta.url), { key }, size);
  }

  get size(): number {
    return this.pool.size;
  }

  async seal(id: Id, plain: Uint8Array, mode: CompressionMode, isTree: boolean): Promise<SealedBlob> {
    const own = transferable(plain);
    const r = await this.pool.run({ op: 'seal', id, plain: own, mode, isTree }, [own.buffer as ArrayBuffer]);
    return { id, sealed: r.data!, uncompressedLength: r.uncompressedLength };
  }

  async open(id: Id, sealed: Uint8Array, uncompressedLength: number): Promise<Uint8Array> {
    const own = transferable(sealed);
    return (await this.pool.run({ op: 'open', id, sealed: own, uncompressedLength }, [own.buffer as ArrayBuffer])).data!;
  }

  /** Hashes on a worker, which keeps the data until `sealHeld` or `drop`. */
  async hash(plain: Uint8Array): Promise<HeldBlob> {
    const own = transferable(plain);
    const worker = this.pool.leastLoaded();
    const ticket = ++this.tickets;
    const r = await this.pool.run({ op: 'hash', ticket, plain: own }, [own.buffer as ArrayBuffer], worker);
    return { id: r.id!, worker, ticket };
  }

  async sealHeld(h: HeldBlob, mode: CompressionMode, isTree: boolean): Promise<SealedBlob> {
    const r = await this.pool.run({ op: 'seal-held', ticket: h.ticket, mode, isTree }, [], h.worker);
    return { id: h.id, sealed: r.data!, uncompressedLength: r.uncompressedLength };
  }

  /**
   * Reads, chunks and hashes files on worker `worker`, which holds each chunk until `decide`
   * names its ticket. `onChunks` gets the chunks as they are read (all before this resolves).
   */
  async readFiles(worker: number, files: readonly FileToRead[], polynomial: bigint, onChunks: (e: ChunkEvent) => void, splitFrom?: number): Promise<readonly FileReadOutcome[]> {
    const task: BlobTask = splitFrom === undefined ? { op: 'read', files, polynomial } : { op: 'read', files, polynomial, splitFrom };
    const r = await this.pool.run(task, [], worker, onChunks as (e: unknown) => void);
    return r.files!;
  }

  /** The worker with the fewest tasks in flight, other than `except` unless it is the only one. */
  leastLoaded(except?: number): number {
    return this.pool.leastLoaded(except);
  }

  /**
   * Reads, hashes and holds (as `readFiles` does its chunks) the range of a file that a
   * scanning worker handed out. `length` is shorter than asked if the file shrank (0: no chunk).
   */
  async hashRange(worker: number, path: Uint8Array, start: number, length: number): Promise<{ readonly id?: Id; readonly ticket?: number; readonly length: number }> {
    const r = await this.pool.run({ op: 'hash-range', path, start, length }, [], worker);
    return { ...(r.id !== undefined ? { id: r.id, ticket: r.ticket! } : {}), length: r.length ?? 0 };
  }

  /** The IDs of ranges of a file, hashed on `worker` without holding them (see `hash-ranges`). */
  async hashRanges(worker: number, path: Uint8Array, ranges: readonly { readonly start: number; readonly length: number }[]): Promise<readonly Id[]> {
    return (await this.pool.run({ op: 'hash-ranges', path, ranges }, [], worker)).ids!;
  }

  /** Tells a scanning worker that `bytes` of its ranges are decided, so it may scan further. */
  rangesDone(worker: number, bytes: number): void {
    this.pool.run({ op: 'ranges-done', bytes }, [], worker).catch(() => undefined);
  }

  /** Seals (in order) or drops chunks held by `worker` after a `readFiles`. */
  async decide(worker: number, seal: readonly number[], drop: readonly number[], mode: CompressionMode): Promise<readonly SealedHeld[]> {
    const r = await this.pool.run({ op: 'decide', seal, drop, mode }, [], worker);
    return r.sealed ?? [];
  }

  /**
   * Seals chunks held by `worker` after a `readFiles` into that worker's own pack (in a temp
   * file under `to.dir`), drops the others, and returns the packs that this filled.
   */
  async decideIntoPack(worker: number, seal: readonly number[], drop: readonly number[], mode: CompressionMode, to: PackTarget): Promise<readonly SpilledPack[]> {
    const r = await this.pool.run({ op: 'decide', seal, drop, mode, pack: to }, [], worker);
    return r.packs ?? [];
  }

  /** Closes `worker`'s pack, if it holds any blob, and returns it. */
  async finishPack(worker: number): Promise<SpilledPack | undefined> {
    return (await this.pool.run({ op: 'finish-pack' }, [], worker)).packs?.[0];
  }

  /** Removes `worker`'s unfinished pack and its temp file (after a failure). */
  async discardPack(worker: number): Promise<void> {
    await this.pool.run({ op: 'discard-pack' }, [], worker);
  }

  drop(h: HeldBlob): void {
    this.pool.run({ op: 'drop', ticket: h.ticket }, [], h.worker).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
