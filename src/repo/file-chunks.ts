import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Id } from '../model/id.js';
import { CHUNK_MIN_SIZE, type Chunker } from './chunker.js';

/**
 * Bytes of a large file scanned for cut points at once: small enough that a read never holds
 * up the event loop for long, and the only buffer a large file needs besides its chunks.
 */
export const SCAN_SIZE = 1024 * 1024;
const probe = Buffer.allocUnsafeSlow(1);

/**
 * Where chunk buffers come from. The default allocates each one on its own; a worker lends
 * them from an arena and takes back the ones dropped, and reuses scan buffers.
 */
export interface ChunkBuffers {
  alloc(n: number): Buffer;
  /** A buffer from `alloc` that the reader no longer needs (never one it yielded). */
  free(b: Buffer): void;
  /** A buffer of SCAN_SIZE bytes to look for cut points in. */
  scanBuffer(): Buffer;
  doneWithScanBuffer(b: Buffer): void;
}

const ownBuffers: ChunkBuffers = {
  alloc: (n) => Buffer.allocUnsafeSlow(n),
  free: () => undefined,
  scanBuffer: () => Buffer.allocUnsafeSlow(SCAN_SIZE),
  doneWithScanBuffer: () => undefined,
};

/**
 * Reads a file and yields its chunks as restic cuts them, each in a buffer of exactly its
 * own size from `buffers.alloc`. A file below the minimum chunk size (most files) is one
 * chunk, read in one go; a one-byte probe read tells whether it grew since lstat. A larger
 * file is scanned for cut points SCAN_SIZE bytes at a time, and each chunk, once its end is
 * known, is read again into its own buffer: those bytes were just read, so the second read
 * comes from the page cache, and memory per file is the scan buffer, not a chunk-sized
 * assembly area. A file that changes meanwhile is stored as the second reads saw it (every
 * chunk's ID is the hash of the bytes stored); one that shrank ends where it now ends.
 * `chunker` may be a function: it is then called only for a file that needs one (the caller
 * can lend chunkers from a pool). Returns the bytes read.
 */
export function* readFileChunks(path: Buffer | string, chunker: Chunker | (() => Chunker), sizeHint: number, buffers: ChunkBuffers = ownBuffers): Generator<Uint8Array, number> {
  const fd = openSync(path, 'r');
  let c: Chunker | undefined;
  const getChunker = () => (c ??= typeof chunker === 'function' ? chunker() : chunker);
  try {
    if (sizeHint < CHUNK_MIN_SIZE) {
      if (sizeHint === 0) {
        if (readSync(fd, probe, 0, 1, 0) === 0) return 0;
        return yield* chunkByScan(fd, getChunker(), buffers);
      }
      const buf = buffers.alloc(sizeHint);
      let yielded = false;
      try {
        const n = preadFull(fd, buf, 0, sizeHint, 0);
        if (n < sizeHint) {
          // Shrank: one exact copy of what is there.
          if (n > 0) yield copyOut(buf, n, buffers);
          return n;
        }
        if (readSync(fd, probe, 0, 1, n) === 0) {
          yielded = true;
          yield buf;
          return n;
        }
      } finally {
        if (!yielded) buffers.free(buf);
      }
      // Grew past its size hint: read as a large file, from the start.
    }
    return yield* chunkByScan(fd, getChunker(), buffers);
  } finally {
    c?.finish(); // leaves the chunker clean even after a read error
    closeSync(fd);
  }
}

/** Chunks a whole file: cut points from scanning, then each chunk read into its own buffer. */
function* chunkByScan(fd: number, chunker: Chunker, buffers: ChunkBuffers): Generator<Uint8Array, number> {
  const scan = buffers.scanBuffer();
  try {
    let total = 0;
    for (const r of scanChunks(fd, chunker, scan)) {
      const chunk = readRange(fd, r.start, r.length, buffers);
      if (chunk.length > 0) yield chunk;
      total = r.start + chunk.length;
      if (chunk.length < r.length) break; // shrank meanwhile
    }
    return total;
  } finally {
    buffers.doneWithScanBuffer(scan);
  }
}

/** Where one chunk lies in a file. */
export interface ChunkRange {
  readonly start: number;
  readonly length: number;
}

/**
 * Finds restic's chunks of a file by scanning it through `scan` (SCAN_SIZE bytes), from its
 * start or from `from`, which must be where a chunk ended (the chunker starts afresh there),
 * without keeping any of its bytes: yields each chunk's range as soon as its end is known.
 * The caller reads the ranges (`readRange`), here or on another thread. Leaves `chunker`
 * clean when it is done or stopped.
 */
export function* scanChunks(fd: number, chunker: Chunker, scan: Buffer, from = 0): Generator<ChunkRange, void> {
  try {
    // [start, scanned): the chunk in progress, seen by the chunker but not yielded yet.
    let start = from;
    let scanned = from;
    // The bytes the chunker never looks at (most of a chunk's first 512 KiB) are not read,
    // where the file surely has them: a third less to read, whoever reads the chunk later.
    const size = fstatSync(fd).size;
    for (;;) {
      const skip = Math.min(chunker.skippable, size - scanned);
      if (skip > 0) {
        chunker.skip(skip);
        scanned += skip;
      }
      const n = preadFull(fd, scan, 0, SCAN_SIZE, scanned);
      if (n === 0) break;
      for (const cut of chunker.push(scan.subarray(0, n))) {
        yield { start, length: scanned + cut - start };
        start = scanned + cut;
      }
      scanned += n;
    }
    if (scanned > start) yield { start, length: scanned - start };
  } finally {
    chunker.finish();
  }
}

/**
 * The file's bytes [at, at + length) in a buffer of their own (from `buffers.alloc`), shorter
 * if the file now ends sooner (empty, not from `buffers`, if nothing is left).
 */
export function readRange(fd: number, at: number, length: number, buffers: ChunkBuffers): Buffer {
  const buf = buffers.alloc(length);
  const n = preadFull(fd, buf, 0, length, at);
  if (n === length) return buf;
  try {
    return n === 0 ? NOTHING : copyOut(buf, n, buffers);
  } finally {
    buffers.free(buf);
  }
}

const NOTHING = Buffer.alloc(0);

/**
 * The ID (SHA-256) of the file's bytes [at, at + length), read through `scan` and kept
 * nowhere; undefined if the file now ends sooner.
 */
export function hashRange(fd: number, at: number, length: number, scan: Buffer): Id | undefined {
  const h = createHash('sha256');
  for (let done = 0; done < length; ) {
    const n = preadFull(fd, scan, 0, Math.min(scan.length, length - done), at + done);
    if (n === 0) return undefined;
    h.update(scan.subarray(0, n));
    done += n;
  }
  return h.digest('hex');
}

function preadFull(fd: number, buf: Buffer, at: number, length: number, position: number): number {
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, at + off, length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** A buffer of the reader's holding buf[0, n). */
function copyOut(buf: Buffer, n: number, buffers: ChunkBuffers): Buffer {
  const out = buffers.alloc(n);
  buf.copy(out, 0, 0, n);
  return out;
}
