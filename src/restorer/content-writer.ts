import { closeSync, openSync } from 'node:fs';
import { LifeboatError } from '../errors/index.js';
import { GarbageMeter, WorkerPool, nextTurn, transferable } from '../lib/index.js';
import { idFromBytes, type Id } from '../model/index.js';
import { ScratchCodec, type BlobLocation, type BlobWorkerPool, type Repository } from '../repo/index.js';
import { SpanReader, writeSpan, type SpanBlob, type SpanResult, type SpanTarget, type SpanTask } from './span-write.js';

/** A file to fill: where it goes and what it holds. */
export interface FileJob {
  readonly dest: Buffer;
  /** Bytes of content the snapshot records. */
  readonly size: number;
  /** The data blob IDs in file order, 32 bytes each: a few bytes a blob instead of a string. */
  readonly content: Uint8Array;
}

/** Blobs in a job's content. */
export function blobCount(job: FileJob): number {
  return job.content.length / 32;
}

interface FileState {
  readonly job: FileJob;
  remaining: number;
  created: boolean;
  written: number;
  failed: boolean;
}

interface Target {
  readonly file: FileState;
  readonly offset: number;
}

/** Blobs of one pack that lie this close together are read in one request. */
const MAX_GAP = 1024 * 1024;
/** A span read in one request is cut after the blob that reaches this size. */
const MAX_SPAN = 4 * 1024 * 1024;
/**
 * The same for a local repository, whose spans the opening thread reads itself into one
 * reused buffer: reads from the page cache are cheap, and the buffer stays small.
 */
const MAX_LOCAL_SPAN = 1024 * 1024;
/** The span bytes this thread drops between young-generation collections (see GarbageMeter). */
const GC_EVERY = 4 * 1024 * 1024;
/** Spans a worker has in hand at once: one being opened and two waiting, so it never waits for this thread. */
const WORKER_SPANS = 3;
/** Bytes of spans read and not yet written: the bound on restore's memory for pack data. */
const DEFAULT_BUDGET = 24 * 1024 * 1024;

export interface ContentWriterOptions {
  /** Its size sets how many threads open and write blobs: this one and size - 1 workers (the pool itself is not used). */
  readonly pool?: BlobWorkerPool;
  /** Spans being read or written at once (each at most MAX_SPAN bytes, plus one blob). */
  readonly concurrency?: number;
  onBytes?(n: number): void;
  onFileDone?(job: FileJob, error?: unknown): void;
  /** How messages name a file (default: its destination). */
  label?(job: FileJob): string;
}

/**
 * Writes file contents pack by pack, in pack order: every needed part of a pack is read once
 * (adjacent blobs in one read: by the opening thread itself from a local repository, else in
 * one range request through `Backend.load`, so any backend works), each
 * blob decrypted and verified once and written to every place that needs it, on worker
 * threads that write the files themselves: plaintext never crosses threads. Memory for pack
 * data stays under a byte budget, whatever the sizes of files and packs.
 */
export async function writeContents(repo: Repository, jobs: readonly FileJob[], opts: ContentWriterOptions = {}): Promise<void> {
  const byPack = new Map<Id, Map<Id, BlobLocation>>();
  const targets = new Map<Id, Target[]>();
  for (const job of jobs) {
    const count = blobCount(job);
    const file: FileState = { job, remaining: count, created: false, written: 0, failed: false };
    if (count === 0) {
      finishFile(file, opts);
      continue;
    }
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const id = idFromBytes(job.content.subarray(i * 32, i * 32 + 32));
      const loc = repo.index.lookup(id, 'data');
      if (!loc) {
        fail(file, new LifeboatError('BLOB_NOT_FOUND', `data blob ${id.slice(0, 8)} of ${labelOf(job, opts)} is not in the index; run "lifeboat check"`), opts);
        break;
      }
      let t = targets.get(id);
      if (!t) {
        targets.set(id, (t = []));
        let pack = byPack.get(loc.packId);
        if (!pack) byPack.set(loc.packId, (pack = new Map()));
        pack.set(id, loc);
      }
      t.push({ file, offset });
      offset += loc.uncompressedLength > 0 ? loc.uncompressedLength : loc.length - 32;
    }
    if (!file.failed && count > 1) createEmpty(file, opts);
  }

  // The main thread opens spans too, so one worker fewer keeps every core busy: a worker
  // thread costs tens of MiB (its heap, scratch buffers, its own malloc arena).
  const workers = Math.max(0, (opts.pool?.size ?? 1) - 1);
  const pool = workers > 0 ? new WorkerPool<SpanTask, SpanResult>(new URL('./span-worker.js', import.meta.url), { key: repo.key }, workers) : undefined;
  const codec = new ScratchCodec(repo.key);
  const reader = new SpanReader();
  const garbage = new GarbageMeter(GC_EVERY);
  let queued = 0;
  const run = async (task: SpanTask): Promise<SpanResult> => {
    // Each worker gets a span to work on and two waiting; the rest are opened here.
    if (!pool || queued >= WORKER_SPANS * workers) {
      // Opening a span here is synchronous: the workers' answers go first.
      if (pool) await nextTurn();
      const r = writeSpan(codec, task, reader);
      if (task.bytes) garbage.add(task.bytes.length);
      return r;
    }
    queued++;
    try {
      if (!task.bytes) return await pool.run(task);
      const own = transferable(task.bytes);
      return await pool.run({ bytes: own, blobs: task.blobs }, [own.buffer as ArrayBuffer]);
    } finally {
      queued--;
    }
  };
  const local = repo.backend.localFile !== undefined;
  const spansInOrder = [...byPack.values()].flatMap((blobs) => spans([...blobs.values()], local ? MAX_LOCAL_SPAN : MAX_SPAN));
  const budget = new ByteBudget(DEFAULT_BUDGET);
  const limit = opts.concurrency ?? WORKER_SPANS * workers + 2;
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(limit, spansInOrder.length) }, async () => {
        while (next < spansInOrder.length) {
          const span = spansInOrder[next++]!;
          const size = spanEnd(span) - span[0]!.offset;
          await budget.take(size);
          try {
            await restoreSpan(repo, span, targets, run, opts);
          } finally {
            budget.give(size);
          }
        }
      }),
    );
  } finally {
    await pool?.close();
  }
}

async function restoreSpan(repo: Repository, span: BlobLocation[], targets: Map<Id, Target[]>, run: (t: SpanTask) => Promise<SpanResult>, opts: ContentWriterOptions): Promise<void> {
  const start = span[0]!.offset;
  const live = span.map((b) => (targets.get(b.id) ?? []).filter((t) => !t.file.failed));
  if (live.every((l) => l.length === 0)) return;
  const h = { type: 'data' as const, name: span[0]!.packId };
  const length = spanEnd(span) - start;
  // A local pack is read by the thread that opens the span; other backends load it here.
  const path = repo.backend.localFile?.(h);
  let bytes: Uint8Array | undefined;
  if (path === undefined) {
    try {
      bytes = await repo.backend.load(h, { offset: start, length });
    } catch (e) {
      for (const l of live) for (const t of l) fail(t.file, e, opts);
      return;
    }
  }
  const blobs: SpanBlob[] = span.map((b, i) => ({
    id: b.id,
    offset: b.offset - start,
    length: b.length,
    uncompressedLength: b.uncompressedLength,
    targets: live[i]!.map((t): SpanTarget => ({ path: t.file.job.dest.toString('latin1'), offset: t.offset, whole: t.file.job.content.length === 32 })),
  }));
  const result = await run(bytes ? { bytes, blobs } : { file: { path: path!, offset: start, length }, blobs });
  let k = 0;
  for (const l of live) {
    for (const t of l) {
      const err = result.errors[k];
      const n = result.written[k++]!;
      if (err) fail(t.file, Object.assign(new Error(err.message), { code: err.code }), opts);
      else wrote(t.file, n, opts);
    }
  }
}

function wrote(f: FileState, n: number, opts: ContentWriterOptions): void {
  if (f.failed) return;
  f.created = true;
  f.written += n;
  opts.onBytes?.(n);
  if (--f.remaining === 0) finishFile(f, opts);
}

/** Creates (or truncates) a file that several blobs, written in any order, will fill in. */
function createEmpty(f: FileState, opts: ContentWriterOptions): void {
  try {
    closeSync(openSync(f.job.dest, 'w', 0o600));
    f.created = true;
  } catch (e) {
    fail(f, e, opts);
  }
}

function finishFile(f: FileState, opts: ContentWriterOptions): void {
  if (!f.created) {
    createEmpty(f, opts);
    if (f.failed) return;
  }
  if (f.written !== f.job.size) {
    fail(f, new LifeboatError('RESTORE_FAILED', `${labelOf(f.job, opts)} has ${f.written} bytes of content but the snapshot records ${f.job.size}`), opts);
    return;
  }
  opts.onFileDone?.(f.job);
}

function labelOf(job: FileJob, opts: ContentWriterOptions): string {
  return opts.label ? opts.label(job) : job.dest.toString();
}

function fail(f: FileState, e: unknown, opts: ContentWriterOptions): void {
  if (f.failed) return;
  f.failed = true;
  opts.onFileDone?.(f.job, e);
}

function spanEnd(span: readonly BlobLocation[]): number {
  const last = span[span.length - 1]!;
  return last.offset + last.length;
}

/**
 * Blobs of one pack in pack order, grouped into runs whose gaps are small enough to read
 * through, each cut once it reaches `maxSpan` bytes.
 */
function spans(blobs: BlobLocation[], maxSpan: number): BlobLocation[][] {
  blobs.sort((a, b) => a.offset - b.offset);
  const out: BlobLocation[][] = [];
  let cur: BlobLocation[] = [];
  for (const b of blobs) {
    const last = cur[cur.length - 1];
    if (last && (b.offset - (last.offset + last.length) > MAX_GAP || last.offset + last.length - cur[0]!.offset >= maxSpan)) {
      out.push(cur);
      cur = [];
    }
    cur.push(b);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Bytes that may be held at once; a request larger than the whole budget waits until it is alone. */
class ByteBudget {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async take(n: number): Promise<void> {
    while (this.used > 0 && this.used + n > this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.used += n;
  }

  give(n: number): void {
    this.used -= n;
    for (const w of this.waiting.splice(0)) w();
  }
}
