import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { LifeboatError, isLifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import { FileRangeReader } from '../lib/file-range-reader.js';
import type { ScratchCodec } from '../repo/index.js';

/** One place a blob's plaintext goes: a file (path bytes as latin1 text) at an offset. */
export interface SpanTarget {
  readonly path: string;
  readonly offset: number;
  /** The file's only blob: open with truncation. Files of several blobs are created beforehand. */
  readonly whole: boolean;
}

export interface SpanBlob {
  readonly id: Id;
  /** Offset within the span's bytes. */
  readonly offset: number;
  readonly length: number;
  readonly uncompressedLength: number;
  readonly targets: readonly SpanTarget[];
}

/** A run of one pack read in one request, with everything that needs its blobs. */
export interface SpanTask {
  /** The span's bytes, read by the thread that sent the task; or */
  readonly bytes?: Uint8Array;
  /** where the thread that opens the span reads them itself (a local repository's pack file). */
  readonly file?: { readonly path: string; readonly offset: number; readonly length: number };
  readonly blobs: readonly SpanBlob[];
}

/** Per target, in task order: bytes written, or why not. */
export interface SpanResult {
  readonly written: number[];
  readonly errors: ({ readonly code: string; readonly message: string } | null)[];
}

/**
 * Opens (decrypts, decompresses, verifies) each blob of a span into scratch memory and writes
 * it wherever it belongs. Runs on a worker thread (or inline without a pool): the plaintext
 * never crosses threads, and nothing is allocated per blob. Never throws for a bad blob or
 * an unwritable file; the result says which targets failed.
 */
export function writeSpan(codec: ScratchCodec, task: SpanTask, reader: SpanReader): SpanResult {
  const written: number[] = [];
  const errors: SpanResult['errors'] = [];
  let bytes: Uint8Array | undefined;
  let readError: { code: string; message: string } | undefined;
  try {
    bytes = reader.bytesOf(task);
  } catch (e) {
    readError = describe(e);
  }
  let end = 0;
  for (const b of task.blobs) {
    let plain: Uint8Array | undefined;
    let blobError = readError;
    // The span's bytes are this thread's to overwrite, so blobs are decrypted where they lie;
    // only one that overlaps the one before (a damaged index) is opened into scratch instead.
    const owned = b.offset >= end;
    end = Math.max(end, b.offset + b.length);
    try {
      const sealed = bytes?.subarray(b.offset, b.offset + b.length);
      if (sealed) plain = owned ? codec.openOwned(b.id, sealed, b.uncompressedLength) : codec.open(b.id, sealed, b.uncompressedLength);
    } catch (e) {
      blobError = describe(e);
    }
    for (const t of b.targets) {
      if (!plain) {
        written.push(0);
        errors.push(blobError!);
        continue;
      }
      try {
        writeAt(t, plain);
        written.push(plain.length);
        errors.push(null);
      } catch (e) {
        written.push(0);
        errors.push(describe(e));
      }
    }
  }
  return { written, errors };
}

/** A thread's way to a span's bytes: those sent with it, or read from its file into one reused buffer. */
export class SpanReader {
  private readonly reader = new FileRangeReader();

  bytesOf(task: SpanTask): Uint8Array {
    if (task.bytes) return task.bytes;
    const { path, offset, length } = task.file!;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') throw new LifeboatError('BACKEND_NOT_FOUND', `pack ${basename(path).slice(0, 8)} does not exist; run "lifeboat check"`);
      throw e;
    }
    try {
      const bytes = this.reader.read(fd, offset, length);
      if (!bytes) throw new LifeboatError('BACKEND_IO', `pack ${basename(path).slice(0, 8)} ends before byte ${offset + length}; run "lifeboat check"`);
      return bytes;
    } finally {
      closeSync(fd);
    }
  }
}

function writeAt(t: SpanTarget, data: Uint8Array): void {
  const fd = openSync(Buffer.from(t.path, 'latin1'), t.whole ? 'w' : 'r+', 0o600);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off, t.offset + off);
  } finally {
    closeSync(fd);
  }
}

function describe(e: unknown): { code: string; message: string } {
  if (isLifeboatError(e)) return { code: e.code, message: e.message };
  const code = (e as NodeJS.ErrnoException)?.code;
  return { code: code ?? 'RESTORE_FAILED', message: String((e as Error)?.message ?? e) };
}
