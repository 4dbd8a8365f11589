import { closeSync, openSync, writeSync } from 'node:fs';
import { LifeboatError } from '../errors/index.js';
import { mapConcurrent } from '../lib/index.js';
import type { Id, Node } from '../model/index.js';
import { openBlob, type BlobLocation, type BlobWorkerPool, type Repository } from '../repo/index.js';

/** A file to fill: where it goes and what it holds. */
export interface FileJob {
  readonly dest: Buffer;
  readonly node: Node;
  readonly label: string;
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

export interface ContentWriterOptions {
  readonly pool?: BlobWorkerPool;
  /** Packs read at once (each read is at most one pack's span). */
  readonly concurrency?: number;
  onBytes?(n: number): void;
  onFileDone?(job: FileJob, error?: unknown): void;
}

/**
 * Writes file contents pack by pack: every pack is read once (adjacent blobs in one range
 * request), each blob decrypted and verified once (on worker threads when a pool is given)
 * and written to every place that needs it. Memory stays at `concurrency` pack spans.
 */
export async function writeContents(repo: Repository, jobs: readonly FileJob[], opts: ContentWriterOptions = {}): Promise<void> {
  const byPack = new Map<Id, Map<Id, BlobLocation>>();
  const targets = new Map<Id, Target[]>();
  for (const job of jobs) {
    const content = job.node.content ?? [];
    const file: FileState = { job, remaining: content.length, created: false, written: 0, failed: false };
    if (content.length === 0) {
      finishFile(file, opts);
      continue;
    }
    let offset = 0;
    for (const id of content) {
      const loc = repo.index.lookup(id, 'data');
      if (!loc) {
        fail(file, new LifeboatError('BLOB_NOT_FOUND', `data blob ${id.slice(0, 8)} of ${job.label} is not in the index; run "lifeboat check"`), opts);
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
  }
  await mapConcurrent([...byPack.values()], opts.concurrency ?? 4, async (blobs) => {
    for (const span of spans([...blobs.values()])) await restoreSpan(repo, span, targets, opts);
  });
}

async function restoreSpan(repo: Repository, span: BlobLocation[], targets: Map<Id, Target[]>, opts: ContentWriterOptions): Promise<void> {
  const start = span[0]!.offset;
  const end = span[span.length - 1]!.offset + span[span.length - 1]!.length;
  let bytes: Uint8Array;
  try {
    bytes = await repo.backend.load({ type: 'data', name: span[0]!.packId }, { offset: start, length: end - start });
  } catch (e) {
    for (const b of span) for (const t of targets.get(b.id) ?? []) fail(t.file, e, opts);
    return;
  }
  await Promise.all(
    span.map(async (b) => {
      const sealed = bytes.subarray(b.offset - start, b.offset - start + b.length);
      let plain: Uint8Array;
      try {
        plain = opts.pool ? await opts.pool.open(b.id, sealed, b.uncompressedLength) : openBlob(repo.key, b.id, sealed, b.uncompressedLength);
      } catch (e) {
        for (const t of targets.get(b.id) ?? []) fail(t.file, e, opts);
        return;
      }
      for (const t of targets.get(b.id) ?? []) writeAt(t, plain, opts);
    }),
  );
}

function writeAt(t: Target, data: Uint8Array, opts: ContentWriterOptions): void {
  const f = t.file;
  if (f.failed) return;
  try {
    // The first write creates (or truncates) the file; later ones fill in at their offsets.
    const fd = openSync(f.job.dest, f.created ? 'r+' : 'w', 0o600);
    f.created = true;
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off, t.offset + off);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    fail(f, e, opts);
    return;
  }
  f.written += data.length;
  opts.onBytes?.(data.length);
  if (--f.remaining === 0) finishFile(f, opts);
}

function finishFile(f: FileState, opts: ContentWriterOptions): void {
  if (!f.created) {
    try {
      closeSync(openSync(f.job.dest, 'w', 0o600));
      f.created = true;
    } catch (e) {
      fail(f, e, opts);
      return;
    }
  }
  if (f.written !== f.job.node.size) {
    fail(f, new LifeboatError('RESTORE_FAILED', `${f.job.label} has ${f.written} bytes of content but the snapshot records ${f.job.node.size}`), opts);
    return;
  }
  opts.onFileDone?.(f.job);
}

function fail(f: FileState, e: unknown, opts: ContentWriterOptions): void {
  if (f.failed) return;
  f.failed = true;
  opts.onFileDone?.(f.job, e);
}

/** Blobs of one pack in file order, grouped into runs whose gaps are small enough to read through. */
function spans(blobs: BlobLocation[]): BlobLocation[][] {
  blobs.sort((a, b) => a.offset - b.offset);
  const out: BlobLocation[][] = [];
  let cur: BlobLocation[] = [];
  for (const b of blobs) {
    const last = cur[cur.length - 1];
    if (last && b.offset - (last.offset + last.length) > MAX_GAP) {
      out.push(cur);
      cur = [];
    }
    cur.push(b);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
