// Worker thread: reads, chunks and hashes files, compresses and encrypts blobs (and opens and
// verifies them on the way back), the CPU-heavy part of a backup or restore. Started by
// BlobWorkerPool.
import { closeSync, openSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/id.js';
import { ownedBuffer, serveTasks, type EmitEvent, type TaskAnswer } from '../lib/serve-tasks.js';
import { blobId } from './blob-codec.js';
import type { BlobResult, BlobTask, FileReadOutcome, PackTarget, RangeChunk, ReadChunk, SealedHeld } from './blob-worker-protocol.js';
import { Chunker, CHUNK_MAX_SIZE, CHUNK_MIN_SIZE } from './chunker.js';
import type { CompressionMode } from './compression.js';
import { hashRange, readFileChunks, readRange, scanChunks, type ChunkRange } from './file-chunks.js';
import { HeldChunks } from './held-chunks.js';
import { SpillPackBuilder, type SpilledPack } from './pack-spill.js';
import { ScratchCodec } from './scratch-codec.js';

const key = workerData.key as MasterKey;
const codec = new ScratchCodec(key);
/** The data pack this worker is filling, when the main thread gave it a pack target. */
let pack: SpillPackBuilder | undefined;
/**
 * Bytes a worker may hold waiting for decisions before its reads pause: the bound on a
 * backup's plaintext in memory per worker, whatever the file sizes.
 */
const HELD_LIMIT = 4 * 1024 * 1024;
/**
 * Held chunks live in an arena this size. A large file's chunk waits for room in it before it
 * is read (its size is known from the scan), so it never lands outside; the slack above the
 * largest chunk lets small ones keep flowing beside it.
 */
const held = new HeldChunks(CHUNK_MAX_SIZE + 2 * 1024 * 1024);
const buffers = held.buffers;
/** Chunk events are sent in batches of this many chunks or bytes, or at the end of a task. */
const EVENT_CHUNKS = 64;
const EVENT_BYTES = 4 * 1024 * 1024;
/** Chunkers for files being read (a paused read keeps its own), by polynomial. */
const spareChunkers = new Map<bigint, Chunker[]>();

/**
 * Read tasks run one at a time. A second one started while the first waits for decisions
 * could not get far (the held limit is shared) but would hold a chunk, a chunker and a scan
 * buffer of its own: memory spent for nothing.
 */
let readsDone: Promise<unknown> = Promise.resolve();

function readFilesInTurn(task: Extract<BlobTask, { op: 'read' }>, emit: EmitEvent): Promise<TaskAnswer<BlobResult>> {
  const run = readsDone.then(() => readFiles(task, emit));
  readsDone = run.catch(() => undefined);
  return run;
}

/** Chunk events of one `read` task, sent in batches of EVENT_CHUNKS chunks or EVENT_BYTES bytes. */
class EventBatch {
  private chunks: ReadChunk[] = [];
  private bytes = 0;

  constructor(private readonly emit: EmitEvent) {}

  add(c: ReadChunk): void {
    this.chunks.push(c);
    this.bytes += c.length;
    if (this.chunks.length >= EVENT_CHUNKS || this.bytes >= EVENT_BYTES) this.send();
  }

  /** Sent at once, with the chunks gathered so far: another worker may be waiting for something to hash. */
  range(r: RangeChunk): void {
    this.emit({ chunks: this.chunks, ranges: [r] });
    this.chunks = [];
    this.bytes = 0;
  }

  send(): void {
    if (this.chunks.length === 0) return;
    this.emit({ chunks: this.chunks });
    this.chunks = [];
    this.bytes = 0;
  }
}

/**
 * Bytes of ranges a scanning worker may have handed out and not yet seen decided: enough to
 * keep the other workers hashing, little enough that the bytes are still in the page cache
 * when they are read again, and that the chunks held meanwhile fit the workers' arenas.
 */
const SCAN_AHEAD = 8 * 1024 * 1024;
let rangesOut = 0;

/**
 * Scans a large file for its chunks and hands them out as ranges, which whichever worker is
 * least busy reads, hashes and holds (`hash-range`): one large file (a database dump) then
 * keeps every core busy. Returns the bytes scanned.
 */
async function scanLarge(events: EventBatch, file: number, path: Buffer, lend: () => Chunker, from: number): Promise<number> {
  let scanned = from;
  await eachRange(path, lend, from, async (_fd, r) => {
    events.range({ file, ...r });
    rangesOut += r.length;
    scanned = r.start + r.length;
    // Hash-range tasks (some maybe on this thread) and their decisions bring it down.
    if (rangesOut > SCAN_AHEAD) await waitFor(events, () => rangesOut <= SCAN_AHEAD);
    return true;
  });
  return scanned - from;
}

/**
 * Scans a large file (`scanChunks`) from `from` (0, or where a chunk of the parent snapshot's
 * content ended) and gives `each` every chunk's range with the open file, until it says stop.
 */
async function eachRange(path: Buffer, lend: () => Chunker, from: number, each: (fd: number, r: ChunkRange) => Promise<boolean>): Promise<void> {
  const fd = openSync(path, 'r');
  const scan = buffers.scanBuffer();
  try {
    for (const r of scanChunks(fd, lend(), scan, from)) if (!(await each(fd, r))) break;
  } finally {
    buffers.doneWithScanBuffer(scan);
    closeSync(fd);
  }
}

/**
 * Reads, hashes and holds one range of a file another worker scanned, once the arena has
 * room for it (as a large file's own chunks wait), so what a worker holds stays in its arena.
 */
async function holdRange(task: Extract<BlobTask, { op: 'hash-range' }>): Promise<TaskAnswer<BlobResult>> {
  while (!held.roomFor(task.length)) await held.changed();
  const fd = openSync(Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength), 'r');
  try {
    const plain = readRange(fd, task.start, task.length, buffers);
    if (plain.length === 0) return { value: { uncompressedLength: 0, length: 0 } };
    const id = blobId(plain);
    return { value: { uncompressedLength: 0, id, ticket: held.hold(id, plain), length: plain.length } };
  } finally {
    closeSync(fd);
  }
}

/** Sends what is gathered and waits for decisions (other tasks on this thread) until `ready`. */
async function waitFor(events: EventBatch, ready: () => boolean): Promise<void> {
  while (!ready()) {
    events.send();
    await held.changed();
  }
}

async function readFiles(task: Extract<BlobTask, { op: 'read' }>, emit: EmitEvent): Promise<TaskAnswer<BlobResult>> {
  const outcomes: FileReadOutcome[] = [];
  const events = new EventBatch(emit);
  const spares = spareChunkers.get(task.polynomial) ?? [];
  spareChunkers.set(task.polynomial, spares);
  for (let file = 0; file < task.files.length; file++) {
    const f = task.files[file]!;
    const path = Buffer.from(f.path.buffer, f.path.byteOffset, f.path.byteLength);
    let chunker: Chunker | undefined;
    const lend = () => (chunker = spares.pop() ?? new Chunker(task.polynomial));
    try {
      const split = task.splitFrom !== undefined && f.size >= task.splitFrom;
      const from = f.from ?? 0;
      // A file read from an offset is read by scanning, whatever is left of it.
      const bytes =
        f.size < CHUNK_MIN_SIZE && from === 0 ? await readSmall(events, file, path, f.size, lend) : split ? await scanLarge(events, file, path, lend, from) : await readLarge(events, file, path, lend, from);
      outcomes.push({ bytes });
    } catch (e) {
      if (e instanceof LifeboatError) throw e;
      const err = e as NodeJS.ErrnoException;
      outcomes.push({ error: { code: err.code ?? 'EIO', message: String(err.message ?? e) } });
    } finally {
      // The readers reset it (finish) by the time they return or throw.
      if (chunker) spares.push(chunker);
    }
  }
  events.send();
  return { value: { uncompressedLength: 0, files: outcomes } };
}

/** A file below the minimum chunk size as lstat saw it: usually one chunk; returns the bytes read. */
async function readSmall(events: EventBatch, file: number, path: Buffer, size: number, lend: () => Chunker): Promise<number> {
  const chunks = readFileChunks(path, lend, size, buffers);
  for (;;) {
    const next = chunks.next();
    if (next.done) return next.value;
    const plain = next.value;
    const id = blobId(plain);
    events.add({ file, ticket: held.hold(id, plain), id, length: plain.length });
    if (held.bytes > HELD_LIMIT) await waitFor(events, () => held.bytes <= HELD_LIMIT);
  }
}

/**
 * A large file: scanned for its chunks, each read into the arena once there is room for it,
 * so whatever the chunk sizes, what this worker holds stays within the arena.
 */
async function readLarge(events: EventBatch, file: number, path: Buffer, lend: () => Chunker, from: number): Promise<number> {
  let total = from;
  await eachRange(path, lend, from, async (fd, r) => {
    if (!held.roomFor(r.length)) await waitFor(events, () => held.roomFor(r.length));
    const plain = readRange(fd, r.start, r.length, buffers);
    total = r.start + plain.length;
    if (plain.length === 0) return false;
    const id = blobId(plain);
    events.add({ file, ticket: held.hold(id, plain), id, length: plain.length });
    return plain.length === r.length; // shorter: shrank meanwhile, stored as it now ends
  });
  return total - from;
}

/**
 * The IDs of the bytes in each range, in order, hashed through a scan buffer and kept
 * nowhere; stops at the first range the file no longer holds whole.
 */
function hashRanges(task: Extract<BlobTask, { op: 'hash-ranges' }>): Id[] {
  const fd = openSync(Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength), 'r');
  const scan = buffers.scanBuffer();
  const ids: Id[] = [];
  try {
    for (const r of task.ranges) {
      const id = hashRange(fd, r.start, r.length, scan);
      if (id === undefined) break;
      ids.push(id);
    }
  } finally {
    buffers.doneWithScanBuffer(scan);
    closeSync(fd);
  }
  return ids;
}

function decide(task: Extract<BlobTask, { op: 'decide' }>): TaskAnswer<BlobResult> {
  for (const t of task.drop) {
    const h = held.release(t);
    if (h) held.free(h.plain);
  }
  if (task.pack) return { value: { uncompressedLength: 0, packs: sealIntoPack(task.seal, task.mode, task.pack) } };
  const sealed: SealedHeld[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const ticket of task.seal) {
    const h = held.take(ticket);
    const s = codec.seal(h.id, h.plain, task.mode, false);
    held.free(h.plain);
    sealed.push({ ticket, id: h.id, sealed: s.sealed, uncompressedLength: s.uncompressedLength });
    transfer.push(...ownedBuffer(s.sealed));
  }
  held.wake();
  return { value: { uncompressedLength: 0, sealed }, transfer };
}

/**
 * Seals held chunks into this worker's pack, in order, each where it lies or in the
 * compression scratch, and returns the packs that filled up (closed, in their temp files).
 */
function sealIntoPack(tickets: readonly number[], mode: CompressionMode, to: PackTarget): SpilledPack[] {
  const finished: SpilledPack[] = [];
  try {
    for (const ticket of tickets) {
      const h = held.take(ticket);
      const s = codec.sealBoxed(held.boxOf(h.plain), mode);
      (pack ??= new SpillPackBuilder('data', to.dir)).add(h.id, s.sealed, s.uncompressedLength);
      held.free(h.plain);
      if (pack.size >= to.size) finished.push(pack.finish(key));
    }
  } finally {
    held.wake();
  }
  return finished;
}

function handle(task: BlobTask, emit: EmitEvent): TaskAnswer<BlobResult> | Promise<TaskAnswer<BlobResult>> {
  switch (task.op) {
    case 'read':
      return readFilesInTurn(task, emit);
    case 'hash-range':
      return holdRange(task);
    case 'hash-ranges':
      return { value: { uncompressedLength: 0, ids: hashRanges(task) } };
    case 'ranges-done':
      rangesOut -= task.bytes;
      held.wake();
      return { value: { uncompressedLength: 0 } };
    case 'decide':
      return decide(task);
    case 'finish-pack': {
      const done = pack !== undefined && pack.count > 0 ? [pack.finish(key)] : [];
      return { value: { uncompressedLength: 0, packs: done } };
    }
    case 'discard-pack':
      pack?.discard();
      return { value: { uncompressedLength: 0 } };
    case 'seal': {
      const s = codec.seal(task.id, task.plain, task.mode, task.isTree);
      held.dropped(task.plain.length);
      return answer({ data: s.sealed, uncompressedLength: s.uncompressedLength });
    }
    case 'open':
      // A copy of exactly its size: the codec's result lives in scratch memory.
      return answer({ data: new Uint8Array(codec.open(task.id, task.sealed, task.uncompressedLength)), uncompressedLength: 0 });
    case 'hash': {
      const id = blobId(task.plain);
      held.holdSent(task.ticket, id, task.plain);
      return answer({ id, uncompressedLength: 0 });
    }
    case 'seal-held': {
      const h = held.takeSent(task.ticket);
      if (!h) throw new LifeboatError('INTERNAL', `no held blob for ticket ${task.ticket}`);
      const s = codec.seal(h.id, h.plain, task.mode, task.isTree);
      held.dropped(h.plain.length);
      return answer({ data: s.sealed, uncompressedLength: s.uncompressedLength });
    }
    case 'drop':
      held.takeSent(task.ticket, true);
      return answer({ uncompressedLength: 0 });
  }
}

function answer(value: BlobResult): TaskAnswer<BlobResult> {
  return { value, transfer: ownedBuffer(value.data) };
}

serveTasks<BlobTask, BlobResult>(handle);
