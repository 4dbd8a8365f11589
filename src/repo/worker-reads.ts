import { isLifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { SealedBlob } from './blob-codec.js';
import type { BlobWorkerPool } from './blob-worker-pool.js';
import type { ChunkEvent, FileReadOutcome, FileToRead, PackTarget, RangeChunk, ReadChunk } from './blob-worker-protocol.js';
import type { CompressionMode } from './compression.js';
import type { SpilledPack } from './pack-spill.js';
import { prefixRanges, unchangedPrefix, type ParentChunk } from './changed-prefix.js';

/** A file read on the workers: its content's blob IDs and the bytes read, or why it failed. */
export type FileContent = { readonly ids: readonly Id[]; readonly size: number } | { readonly error: { readonly code: string; readonly message: string } };

/** What reading on workers needs of the writer it feeds (RepoWriter gives it closures over its own state). */
export interface ReadsWriterSide {
  readonly compression: CompressionMode;
  /** Where workers build packs of their own; without it they send sealed blobs back. */
  readonly packTarget: PackTarget | undefined;
  /** Takes a new data chunk (true) or says the repository or the writer already has it (false). */
  claim(id: Id, length: number): boolean;
  /** Waits while too many bytes are on their way; throws the writer's failure. */
  backpressure(): Promise<void>;
  failed(): boolean;
  fail(e: unknown): void;
  /** Bytes about to be sealed by a worker, and bytes no longer held anywhere. */
  reserve(bytes: number): void;
  release(bytes: number): void;
  addSealed(blob: SealedBlob, plainLength: number): void;
  /** A pack a worker finished; the writer stores it and indexes it. */
  storePack(pack: SpilledPack): void;
  /** A task is over: the writer's waiters look again. */
  wake(): void;
}

/**
 * Changed files from this size up are only scanned by the worker they go to, when the others
 * have no large file to read; their chunks are read and hashed by the least busy other
 * worker, so one large file (a database dump) keeps every core busy instead of one. Other
 * files are read where they are scanned.
 */
export const SPLIT_FROM = 32 * 1024 * 1024;

/** `read` tasks in flight per worker: one being read, one queued behind it. */
const READS_PER_WORKER = 2;

/** How one range of a split file was read: its chunk's ID and length, or why it failed. */
interface RangeRead {
  readonly file: number;
  readonly slot: number;
  readonly id?: Id;
  readonly length: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** Each file's content: the chunks read whole and the ranges read elsewhere, in file order. */
function assembleContents(outcomes: readonly FileReadOutcome[], contents: readonly (Id | undefined)[][], ranges: readonly RangeRead[]): FileContent[] {
  const rangeBytes = new Map<number, number>();
  const errors = new Map<number, NonNullable<RangeRead['error']>>();
  for (const r of ranges) {
    if (r.error) errors.set(r.file, r.error);
    else if (r.id !== undefined) contents[r.file]![r.slot] = r.id;
    rangeBytes.set(r.file, (rangeBytes.get(r.file) ?? 0) + r.length);
  }
  return outcomes.map((o, i): FileContent => {
    if ('error' in o) return o;
    const error = errors.get(i);
    if (error) return { error };
    // A range read short (the file shrank) leaves later slots empty: the content is what was read.
    return { ids: contents[i]!.filter((id): id is Id => id !== undefined), size: rangeBytes.get(i) ?? o.bytes };
  });
}

/**
 * A writer's files read on worker threads: a worker reads, chunks and hashes them and reports
 * the IDs; this side, which sees the index, decides (seal the new, drop the known), and the
 * new chunks are sealed where they are held, into the worker's own pack when there is a pack
 * target. Also spreads the chunks of a large changed file over the other workers.
 */
export class WorkerReads {
  /** Decisions on chunks read by workers, waiting for room or for their seals. */
  private readonly deciding = new Set<Promise<void>>();
  /** Bytes of files given to each worker and not yet read. */
  private readonly readLoad: number[] = [];
  private readsInFlight = 0;
  private readWaiters: (() => void)[] = [];
  /** `decide` tasks sealing on a worker right now. */
  private sealsOut = 0;
  /** Workers that may have an unfinished pack of this writer's. */
  private readonly workersWithPacks = new Set<number>();

  constructor(private readonly pool: BlobWorkerPool, private readonly side: ReadsWriterSide, private readonly splitFrom = SPLIT_FROM) {}

  /** True while a worker is sealing for this writer (the writer's open packs are then not all that holds bytes). */
  get sealing(): boolean {
    return this.sealsOut > 0;
  }

  /**
   * Hands files to a worker. Waits while every worker already has enough to do. Resolves to a
   * box holding the promise of each file's content (boxed: `await` would flatten a bare promise).
   */
  async readFiles(files: readonly FileToRead[], polynomial: bigint): Promise<{ readonly done: Promise<readonly FileContent[]> }> {
    await this.waitForSlot();
    return { done: this.startRead(files, polynomial) };
  }

  /**
   * Reads a file that changed since the parent snapshot, whose content there was `parent`
   * (each chunk's ID and length). The parent's chunks are hashed where they lay, on every
   * worker at once and without running the chunker; the file is read as usual (chunked) from
   * where the first one no longer matches, or from its last one, which the end of the file
   * cut. The IDs are the same as reading it all: a chunk of unchanged bytes starts where the
   * chunker starts afresh and holds the bytes it cut at, so the chunker cuts it again. An
   * appended dump is then mostly hashed, on both cores.
   */
  async readChanged(file: FileToRead, parent: readonly ParentChunk[], polynomial: bigint): Promise<{ readonly done: Promise<FileContent> }> {
    const ranges = prefixRanges(parent, file.size);
    if (ranges.length === 0) {
      const { done } = await this.readFiles([file], polynomial);
      return { done: done.then((r) => r[0]!) };
    }
    await this.waitForSlot();
    this.readsInFlight++; // the read of the rest takes it over
    const done = unchangedPrefix(this.pool, file.path, ranges)
      .finally(() => this.readDone())
      .then(async (verified) => {
        const from = verified === 0 ? 0 : ranges[verified - 1]!.start + ranges[verified - 1]!.length;
        const [rest] = await this.startRead([{ ...file, size: file.size - from, changed: true, ...(from > 0 ? { from } : {}) }], polynomial);
        if ('error' in rest!) return rest;
        return { ids: [...ranges.slice(0, verified).map((r) => r.id), ...rest!.ids], size: from + rest!.size };
      });
    done.catch(() => undefined); // the caller may stop (on a failure) before awaiting it
    return { done };
  }

  /** Waits until a worker can take another read task and the writer has room. */
  private async waitForSlot(): Promise<void> {
    while (this.readsInFlight >= this.pool.size * READS_PER_WORKER && !this.side.failed()) await new Promise<void>((r) => this.readWaiters.push(r));
    await this.side.backpressure();
  }

  private readDone(): void {
    this.readsInFlight--;
    const w = this.readWaiters;
    this.readWaiters = [];
    for (const r of w) r();
  }

  /** Gives files to the worker with the fewest bytes still to read. */
  private startRead(files: readonly FileToRead[], polynomial: bigint): Promise<readonly FileContent[]> {
    const pool = this.pool;
    while (this.readLoad.length < pool.size) this.readLoad.push(0);
    let bytes = 0;
    for (const f of files) bytes += f.size;
    // The worker with the fewest bytes still to read: a large file keeps one busy for long.
    let worker = 0;
    for (let i = 1; i < pool.size; i++) if (this.readLoad[i]! < this.readLoad[worker]!) worker = i;
    // Split a large file only when it changed since the parent snapshot (reading it is then
    // mostly hashing; a new file's chunks would all be sealed by the worker hashing them) and
    // no other worker has a large file of its own to read (it would be busy anyway).
    const split = files.length === 1 && files[0]!.changed === true && this.readLoad.every((load, i) => i === worker || load < this.splitFrom);
    this.readLoad[worker]! += bytes;
    this.readsInFlight++;
    const contents: (Id | undefined)[][] = files.map(() => []);
    const ranged: Promise<RangeRead>[] = [];
    const onEvent = (e: ChunkEvent) => {
      if (e.chunks.length > 0) this.decideChunks(worker, e.chunks, contents);
      for (const r of e.ranges ?? []) {
        const slots = contents[r.file]!;
        ranged.push(this.readRange(worker, files[r.file]!.path, r, slots.push(undefined) - 1));
      }
    };
    const done = pool
      .readFiles(worker, files, polynomial, onEvent, split ? this.splitFrom : undefined)
      .then(async (outcomes) => assembleContents(outcomes, contents, await Promise.all(ranged)))
      .finally(() => {
        this.readLoad[worker]! -= bytes;
        this.readDone();
      });
    done.catch(() => undefined); // the caller may stop (on a failure) before awaiting it
    return done;
  }

  /** Waits for every decision sent so far. */
  async settled(): Promise<void> {
    while (this.deciding.size > 0) await Promise.all(this.deciding);
  }

  /** Has each worker close its pack and hands the packs to the writer. */
  async finishPacks(): Promise<void> {
    for (const worker of this.workersWithPacks) {
      try {
        const pack = await this.pool.finishPack(worker);
        if (pack) this.side.storePack(pack);
      } catch (e) {
        this.side.fail(e);
      }
    }
    this.workersWithPacks.clear();
  }

  /** Removes the workers' unfinished pack files. A worker serves tasks in order, so a decision sent before this is sealed before the discard. */
  async discardPacks(): Promise<void> {
    const workers = [...this.workersWithPacks];
    this.workersWithPacks.clear();
    await Promise.all(workers.map((w) => this.pool.discardPack(w).catch(() => undefined)));
  }

  /**
   * Has a range a scanning worker found read and hashed by the least busy worker, then
   * decided there; gives the scanner its bytes back once that is done.
   */
  private async readRange(scanner: number, path: Uint8Array, r: RangeChunk, slot: number): Promise<RangeRead> {
    const pool = this.pool;
    let decided: Promise<void> | undefined;
    try {
      // Not the scanner: it has the whole file to scan, and its queue is behind that.
      const worker = pool.leastLoaded(scanner);
      const h = await pool.hashRange(worker, path, r.start, r.length);
      if (h.id === undefined) return { file: r.file, slot, length: 0 };
      decided = this.decideChunks(worker, [{ file: r.file, ticket: h.ticket!, id: h.id, length: h.length }]);
      return { file: r.file, slot, id: h.id, length: h.length };
    } catch (e) {
      if (isLifeboatError(e)) throw e;
      const err = e as NodeJS.ErrnoException;
      return { file: r.file, slot, length: 0, error: { code: err.code ?? 'EIO', message: String(err.message ?? e) } };
    } finally {
      void (decided ?? Promise.resolve()).finally(() => pool.rangesDone(scanner, r.length));
    }
  }

  /** New chunks are sealed by the worker holding them, known ones dropped there. */
  private decideChunks(worker: number, chunks: readonly ReadChunk[], contents?: (Id | undefined)[][]): Promise<void> {
    const seal: number[] = [];
    const lengths: number[] = [];
    const drop: number[] = [];
    for (const c of chunks) {
      contents?.[c.file]!.push(c.id);
      if (!this.side.claim(c.id, c.length)) {
        drop.push(c.ticket);
        continue;
      }
      seal.push(c.ticket);
      lengths.push(c.length);
    }
    const p: Promise<void> = this.sendDecision(worker, seal, lengths, drop)
      .catch((err) => this.side.fail(err))
      .finally(() => {
        this.deciding.delete(p);
        this.side.wake();
      });
    this.deciding.add(p);
    return p;
  }

  private async sendDecision(worker: number, seal: number[], lengths: number[], drop: number[]): Promise<void> {
    const { pool, side } = this;
    // Seals wait for room in the writer; the worker's reads wait for these decisions, which
    // is how a slow upload holds back reading without bytes piling up anywhere.
    if (seal.length > 0) await side.backpressure().catch(() => undefined);
    if (side.failed()) {
      // Nothing more will be stored: free the worker's memory and let its reads finish.
      await pool.decide(worker, [], [...drop, ...seal], side.compression);
      return;
    }
    let bytes = 0;
    for (const n of lengths) bytes += n;
    side.reserve(bytes);
    this.sealsOut++;
    const to = side.packTarget;
    if (to) {
      if (seal.length > 0) this.workersWithPacks.add(worker);
      try {
        for (const pack of await pool.decideIntoPack(worker, seal, drop, side.compression, to)) side.storePack(pack);
      } finally {
        this.sealsOut--;
        // Sealed into the worker's pack file: these bytes are no longer in memory.
        side.release(bytes);
      }
      return;
    }
    let blobs;
    try {
      blobs = await pool.decide(worker, seal, drop, side.compression);
    } finally {
      this.sealsOut--;
    }
    blobs.forEach((b, i) => side.addSealed(b, lengths[i]!));
  }
}
