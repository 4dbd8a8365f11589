import { CIPHER_OVERHEAD } from '../crypto/authenticated-cipher.js';
import { LifeboatError } from '../errors/index.js';
import { GarbageMeter } from '../lib/index.js';
import type { BlobType, Id } from '../model/index.js';
import { sealBlob, blobId, type SealedBlob } from './blob-codec.js';
import type { BlobWorkerPool } from './blob-worker-pool.js';
import type { FileToRead } from './blob-worker-protocol.js';
import type { CompressionMode } from './compression.js';
import { encodeIndexFile, type IndexedPack } from './index-file.js';
import { CHUNK_MAX_SIZE } from './chunker.js';
import { PackBuilder } from './pack-builder.js';
import { PackStore, type PackStoreEvents, type ReadyPack } from './pack-store.js';
import { SpillPackBuilder } from './pack-spill.js';
import type { ParentChunk } from './changed-prefix.js';
import { WorkerReads, type FileContent, type ReadsWriterSide } from './worker-reads.js';
import type { Repository } from './repository.js';

export interface WriterOptions {
  /** Target pack size; a pack closes after the blob that crosses it. restic's default is 16 MiB. */
  readonly packSize?: number;
  readonly compression?: CompressionMode;
  /** Pack uploads in flight. */
  readonly uploads?: number;
  /** Seal blobs on these worker threads instead of inline. */
  readonly pool?: BlobWorkerPool;
  /**
   * Bytes that may be on their way (being sealed, in open packs, uploading) before
   * `saveBlob` waits: the bound on the writer's memory whatever the file sizes.
   */
  readonly maxBytesInFlight?: number;
  /**
   * Build data packs in temp files in this directory instead of in memory (as restic does);
   * a local repository then takes them by hard link, others read them back to upload.
   */
  readonly spillDir?: string;
  /**
   * With a pool: changed files (FileToRead.changed) from this size up are scanned by one
   * worker and their chunks read and hashed by the least busy other (default 32 MiB; tests
   * use less).
   */
  readonly splitFilesFrom?: number;
}

export interface WriterStats {
  dataBlobs: number;
  treeBlobs: number;
  /** Bytes of new blobs before compression. */
  dataAdded: number;
  /** Bytes of new packs as stored. */
  dataStored: number;
  packs: number;
}

/**
 * restic's threshold for a full index file. Larger files cost more memory to load than they
 * save: each is parsed whole (JSON and one object per blob) before it joins the compact index.
 */
const MAX_BLOBS_PER_INDEX = 50_000;
/**
 * Trees up to this size are sealed on the calling thread even when there is a pool: a message
 * to a worker costs about as much. Larger ones (a directory of a hundred files is ~40 KiB)
 * go to the workers, since the walk's thread is what a changed backup waits for.
 */
const INLINE_TREE_BYTES = 16 * 1024;
/** Uploaded pack buffers kept for reuse. */
const SPARE_PACK_BUFFERS = 1;

/**
 * Adds blobs to a repository. Sealing runs on worker threads when a pool is given, so
 * `saveBlob` returns as soon as the blob is queued; `flush` waits for everything.
 * Order of writes is what keeps a repository consistent after a crash at any moment:
 * packs first, then the index that lists them, and only then (by the caller, after
 * `flush`) a snapshot that refers to them.
 */
export class RepoWriter {
  readonly stats: WriterStats = { dataBlobs: 0, treeBlobs: 0, dataAdded: 0, dataStored: 0, packs: 0 };
  private readonly packers: { data: PackBuilder | SpillPackBuilder; tree: PackBuilder };
  /** Blobs taken by this writer and not yet in the repository's index, by type. */
  private readonly pending: Record<BlobType, Set<Id>> = { data: new Set(), tree: new Set() };
  private readonly sealing = new Set<Promise<void>>();
  /** Files read on the pool's workers, when there is a pool. */
  private readonly reads: WorkerReads | undefined;
  private readonly uploading = new Set<Promise<void>>();
  private readonly written: IndexedPack[] = [];
  private failure: unknown;
  private bytesInFlight = 0;
  private waiters: (() => void)[] = [];
  private readonly packSize: number;
  private readonly capacity: number;
  /** Buffers of uploaded data packs, kept for the next packs: a 17 MiB allocation per pack is what fragments memory. */
  private readonly spareBuffers: Buffer[] = [];
  private readonly garbage = new GarbageMeter(16 * 1024 * 1024);
  private readonly store: PackStore;
  private readonly maxBytes: number;
  readonly compression: CompressionMode;

  constructor(readonly repo: Repository, private readonly opts: WriterOptions = {}) {
    this.packSize = opts.packSize ?? 16 * 1024 * 1024;
    // Room for a pack just short of full plus the largest data blob (a chunk stored raw) and a
    // header: the buffer then never grows by doubling and copying. Pages never written are
    // never resident, so the headroom costs address space, not memory.
    const capacity = this.packSize + CHUNK_MAX_SIZE + 1024 * 1024;
    this.packers = {
      data: opts.spillDir !== undefined ? new SpillPackBuilder('data', opts.spillDir) : new PackBuilder('data', capacity, () => this.spareBuffers.pop()),
      tree: new PackBuilder('tree', 1024 * 1024),
    };
    this.capacity = capacity;
    this.store = new PackStore(repo.backend, opts.uploads ?? 4, this.packEvents());
    this.maxBytes = opts.maxBytesInFlight ?? Math.max(32 * 1024 * 1024, this.packSize * 2);
    this.compression = opts.compression ?? 'auto';
    this.reads = opts.pool && new WorkerReads(opts.pool, this.readsSide(), opts.splitFilesFrom);
  }

  /** True when the repository has the blob or this writer already took it. */
  has(type: BlobType, id: Id): boolean {
    // The size first: hashing an ID string costs more, and an unchanged re-backup asks for every file's blobs with nothing pending.
    const pending = this.pending[type];
    return (pending.size > 0 && pending.has(id)) || this.repo.index.has(id, type);
  }

  /**
   * Takes one blob: deduplicates it, then compresses, encrypts and packs it (on a worker
   * when there is a pool). Waits only when too many bytes are already on their way.
   */
  async saveBlob(type: BlobType, plain: Uint8Array, knownId?: Id): Promise<{ id: Id; added: boolean }> {
    const id = knownId ?? blobId(plain);
    if (this.has(type, id)) return { id, added: false };
    if (this.failure) throw this.failure;
    this.pending[type].add(id);
    if (type === 'data') {
      this.stats.dataBlobs++;
      this.stats.dataAdded += plain.length;
    } else this.stats.treeBlobs++;
    // The pool may transfer (detach) `plain`: keep its length now.
    const length = plain.length;
    this.bytesInFlight += length;
    const pool = this.opts.pool;
    // Small trees are sealed here: a message to a worker costs about as much, and an unchanged
    // re-backup, which writes only a few trees, then never needs to start the workers at all.
    if (!pool || (type === 'tree' && length <= INLINE_TREE_BYTES)) {
      this.addSealed(type, sealBlob(this.repo.key, id, plain, this.compression, type === 'tree'), length);
    } else {
      const p: Promise<void> = pool
        .seal(id, plain, this.compression, type === 'tree')
        .then((s) => this.addSealed(type, s, length), (e) => this.fail(e))
        .finally(() => this.settle(this.sealing, p));
      this.sealing.add(p);
    }
    await this.backpressure();
    return { id, added: true };
  }

  /**
   * Queues a data blob whose ID is not known yet: with a pool it is hashed on a worker too,
   * so the main thread never touches the bytes again. Resolves (after backpressure) to a
   * box holding the promise of the blob's ID (boxed: `await` would flatten a bare promise).
   */
  async queueData(plain: Uint8Array): Promise<{ readonly id: Promise<Id> }> {
    const pool = this.opts.pool;
    if (!pool) {
      const { id } = await this.saveBlob('data', plain);
      return { id: Promise.resolve(id) };
    }
    if (this.failure) throw this.failure;
    const length = plain.length;
    this.bytesInFlight += length;
    const idPromise = pool.hash(plain).then((held) => {
      if (this.has('data', held.id)) {
        pool.drop(held);
        this.release(length);
        return held.id;
      }
      this.pending.data.add(held.id);
      this.stats.dataBlobs++;
      this.stats.dataAdded += length;
      const p: Promise<void> = pool
        .sealHeld(held, this.compression, false)
        .then((s) => this.addSealed('data', s, length), (e) => this.fail(e))
        .finally(() => this.settle(this.sealing, p));
      this.sealing.add(p);
      return held.id;
    });
    const tracked: Promise<void> = idPromise.then(() => undefined, (e) => this.fail(e)).finally(() => this.settle(this.sealing, tracked));
    this.sealing.add(tracked);
    await this.backpressure();
    return { id: idPromise };
  }

  /** True when `readFiles` can be used: there are workers to read on. */
  get readsOnWorkers(): boolean {
    return this.opts.pool !== undefined;
  }

  /**
   * Hands files to a worker, which reads, chunks and hashes them; new chunks are sealed
   * there and only sealed blobs (or finished packs) come back. Waits while every worker
   * already has enough to do. Resolves to a box holding the promise of each file's content
   * (boxed: `await` would flatten a bare promise).
   */
  async readFiles(files: readonly FileToRead[], polynomial: bigint): Promise<{ readonly done: Promise<readonly FileContent[]> }> {
    if (!this.reads) throw new LifeboatError('INTERNAL', 'readFiles needs a worker pool');
    return this.reads.readFiles(files, polynomial);
  }

  /**
   * Reads a file that changed since the parent snapshot, where its content was `parent`, as
   * `readFiles` would, but hashes the parent's chunks in place first and chunks only from the
   * first that changed (WorkerReads.readChanged): same IDs, less work.
   */
  async readChangedFile(path: Uint8Array, size: number, parent: readonly Id[], polynomial: bigint): Promise<{ readonly done: Promise<FileContent> }> {
    if (!this.reads) throw new LifeboatError('INTERNAL', 'readChangedFile needs a worker pool');
    const chunks: ParentChunk[] = [];
    for (const id of parent) {
      const loc = this.repo.index.lookup(id, 'data');
      if (!loc) break; // not stored (the parent is damaged): from here on the file is read as new
      chunks.push({ id, length: loc.uncompressedLength > 0 ? loc.uncompressedLength : loc.length - CIPHER_OVERHEAD });
    }
    return this.reads.readChanged({ path, size, changed: true }, chunks, polynomial);
  }

  /**
   * The writer's side of its WorkerReads. With a spill directory, workers seal the chunks they
   * read into packs of their own (temp files) and only finished packs come back: no blob's
   * bytes cross threads.
   */
  private readsSide(): ReadsWriterSide {
    return {
      compression: this.compression,
      packTarget: this.opts.spillDir !== undefined ? { dir: this.opts.spillDir, size: this.packSize } : undefined,
      claim: (id, length) => {
        if (this.has('data', id)) return false;
        this.pending.data.add(id);
        this.stats.dataBlobs++;
        this.stats.dataAdded += length;
        return true;
      },
      backpressure: () => this.backpressure(),
      failed: () => this.failure !== undefined,
      fail: (e) => this.fail(e),
      reserve: (bytes) => {
        this.bytesInFlight += bytes;
      },
      release: (bytes) => this.release(bytes),
      addSealed: (blob, plainLength) => this.addSealed('data', blob, plainLength),
      // Until stored, a worker's pack counts as in flight, like the writer's own.
      storePack: (pack) => {
        for (const b of pack.blobs) this.bytesInFlight += b.length;
        this.storePack(pack);
      },
      wake: () => this.wake(),
    };
  }

  /** Waits while too many bytes are on their way; closes open packs if only they hold them. */
  private async backpressure(): Promise<void> {
    while (this.bytesInFlight > this.maxBytes && !this.failure) {
      if (this.sealing.size === 0 && !this.reads?.sealing && this.uploading.size === 0) {
        for (const packer of Object.values(this.packers)) if (packer.count > 0) this.closePack(packer);
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
    if (this.failure) throw this.failure;
  }

  /** Closes the open packs, waits for every upload, and writes the index for them. */
  async flush(): Promise<void> {
    await this.finishPacks();
    await this.writeIndex();
  }

  /**
   * Closes the open packs (here and on the workers) and waits until every pack is stored:
   * after it the pool is no longer needed, and a caller can close it, freeing the workers'
   * memory, before `flush` encodes the index.
   */
  async finishPacks(): Promise<void> {
    // Neither kind of task starts the other: once both are empty, nothing more is coming.
    do await Promise.all([...this.sealing, this.reads?.settled()]);
    while (this.sealing.size > 0);
    if (!this.failure) {
      for (const packer of Object.values(this.packers)) if (packer.count > 0) this.closePack(packer);
      await this.reads?.finishPacks();
    }
    // Also after a failure: nothing of this writer may still be running (or in a temp file).
    while (this.uploading.size > 0) await Promise.all(this.uploading);
    if (this.failure) {
      await this.abandon();
      throw this.failure;
    }
  }

  /**
   * Removes the temp files of packs still being built, here and on the workers; for a run
   * that stops without `flush`. Nothing is stored after this: later decisions drop their chunks.
   */
  async abandon(): Promise<void> {
    this.fail(new LifeboatError('INTERNAL', 'the writer was abandoned'));
    if (this.packers.data instanceof SpillPackBuilder) this.packers.data.discard();
    await this.reads?.discardPacks();
  }

  private addSealed(type: BlobType, blob: SealedBlob, plainLength: number): void {
    // Account in stored bytes from here on: that is what the open pack holds.
    this.release(plainLength - blob.sealed.length);
    const packer = this.packers[type];
    packer.add(blob.id, blob.sealed, blob.uncompressedLength);
    // Copied into the pack: with a pool the sealed buffer came from a worker and is now garbage.
    if (this.opts.pool) this.garbage.add(blob.sealed.length);
    if (packer.size >= this.packSize) this.closePack(packer);
  }

  private closePack(packer: PackBuilder | SpillPackBuilder): void {
    this.storePack(packer.finish(this.repo.key));
  }

  /** Hands a finished pack to the store; until it is stored it counts as in flight. */
  private storePack(pack: ReadyPack): void {
    const p: Promise<void> = this.store.store(pack).finally(() => this.settle(this.uploading, p));
    this.uploading.add(p);
  }

  /** The writer's side of its PackStore: stats and index entries, failure, bytes in flight. */
  private packEvents(): PackStoreEvents {
    return {
      stored: (pack, bytes) => {
        this.stats.packs++;
        this.stats.dataStored += bytes;
        this.written.push(pack);
      },
      failed: (e) => this.fail(e),
      released: (sealedBytes, pack) => {
        // save() keeps no reference to the bytes once it has settled (Backend contract).
        if (!('path' in pack) && pack.blobs[0]?.type === 'data' && pack.buffer.length >= this.capacity && this.spareBuffers.length < SPARE_PACK_BUFFERS) this.spareBuffers.push(pack.buffer);
        this.release(sealedBytes);
      },
    };
  }

  /**
   * A seal or upload is over. Waiters are woken here too, after the set has shrunk: one woken
   * only by `release` (which runs before this) would still count the finished task, conclude
   * that something else will free bytes, and wait for ever.
   */
  private settle(set: Set<Promise<void>>, p: Promise<void>): void {
    set.delete(p);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private release(bytes: number): void {
    this.bytesInFlight -= bytes;
    // Waiters re-check for themselves (and may close packs when nothing else would free bytes).
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private async writeIndex(): Promise<void> {
    while (this.written.length > 0) {
      const batch: IndexedPack[] = [];
      let blobs = 0;
      while (this.written.length > 0 && blobs < MAX_BLOBS_PER_INDEX) {
        const p = this.written.shift()!;
        batch.push(p);
        blobs += p.blobs.length;
      }
      await this.repo.saveUnpacked('index', encodeIndexFile({ packs: batch }));
      for (const p of batch) {
        this.repo.index.addPack(p);
        for (const b of p.blobs) this.pending[b.type].delete(b.id);
      }
    }
  }
}
