import { closeSync, openSync, readSync } from 'node:fs';
import { CHUNK_MAX_SIZE, CHUNK_MIN_SIZE, type Chunker } from './chunker.js';

/** Bytes read at once from a large file: small enough that a read never holds up the event loop for long. */
const READ_SIZE = 1024 * 1024;
/** The assembly buffer: the longest possible chunk still in progress plus one read. */
const ASSEMBLY_SIZE = CHUNK_MAX_SIZE + READ_SIZE;
const probe = Buffer.allocUnsafeSlow(1);

/**
 * Where chunk buffers come from. The default allocates each one on its own; a worker lends
 * them from an arena and takes back the ones dropped, and reuses assembly buffers.
 */
export interface ChunkBuffers {
  alloc(n: number): Buffer;
  /** A buffer from `alloc` that the reader no longer needs (never one it yielded). */
  free(b: Buffer): void;
  assembly(): Buffer;
  doneWithAssembly(b: Buffer): void;
}

const ownBuffers: ChunkBuffers = {
  alloc: (n) => Buffer.allocUnsafeSlow(n),
  free: () => undefined,
  assembly: () => Buffer.allocUnsafeSlow(ASSEMBLY_SIZE),
  doneWithAssembly: () => undefined,
};

export { ASSEMBLY_SIZE };

/**
 * Reads a file and yields its chunks as restic cuts them, each in a buffer of exactly its
 * own size that owns its whole ArrayBuffer (so it can move to a worker thread without a copy).
 * A file below the minimum chunk size (most files) is one chunk, read in one go; a one-byte
 * probe read tells whether it grew since lstat. Larger files are read 1 MiB at a time into
 * one reused assembly buffer, so memory per file stays at that buffer whatever its size.
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
        if (readSync(fd, probe, 0, 1, null) === 0) return 0;
        return yield* chunkStream(fd, getChunker(), undefined, probe[0]!, buffers);
      }
      const buf = buffers.alloc(sizeHint);
      let yielded = false;
      try {
        const n = readFull(fd, buf, 0, sizeHint);
        if (n < sizeHint) {
          // Shrank: one exact copy of what is there.
          if (n > 0) yield copyOut(buf, 0, n, buffers);
          return n;
        }
        if (readSync(fd, probe, 0, 1, null) === 0) {
          yielded = true;
          yield buf;
          return n;
        }
        return yield* chunkStream(fd, getChunker(), buf, probe[0]!, buffers);
      } finally {
        if (!yielded) buffers.free(buf);
      }
    }
    return yield* chunkStream(fd, getChunker(), undefined, undefined, buffers);
  } finally {
    c?.finish(); // leaves the chunker clean even after a read error
    closeSync(fd);
  }
}

/** Chunks the rest of a file, after the bytes already read (`head`, then one `extra` byte). */
function* chunkStream(fd: number, chunker: Chunker, head: Buffer | undefined, extra: number | undefined, buffers: ChunkBuffers): Generator<Uint8Array, number> {
  const asm = buffers.assembly();
  try {
    return yield* chunkInto(fd, chunker, asm, head, extra, buffers);
  } finally {
    buffers.doneWithAssembly(asm);
  }
}

function* chunkInto(fd: number, chunker: Chunker, asm: Buffer, head: Buffer | undefined, extra: number | undefined, buffers: ChunkBuffers): Generator<Uint8Array, number> {
  // asm[0, fill) holds the chunk in progress; asm[0, scanned) has been pushed to the chunker.
  let fill = 0;
  if (head) {
    asm.set(head, 0);
    fill = head.length;
  }
  if (extra !== undefined) asm[fill++] = extra;
  let total = fill;
  let scanned = 0;
  for (;;) {
    if (scanned < fill) {
      let start = 0;
      for (const cut of chunker.push(asm.subarray(scanned, fill))) {
        const end = scanned + cut;
        yield copyOut(asm, start, end, buffers);
        start = end;
      }
      scanned = fill;
      if (start > 0) {
        asm.copyWithin(0, start, fill);
        fill -= start;
        scanned -= start;
      }
    }
    // The chunker cuts at CHUNK_MAX_SIZE at the latest, so a full read always fits.
    const n = readFull(fd, asm, fill, Math.min(READ_SIZE, ASSEMBLY_SIZE - fill));
    if (n === 0) break;
    fill += n;
    total += n;
  }
  chunker.finish();
  if (fill > 0) yield copyOut(asm, 0, fill, buffers);
  return total;
}

function readFull(fd: number, buf: Buffer, at: number, length: number): number {
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, at + off, length - off, null);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** A buffer of the reader's holding buf[start, end). */
function copyOut(buf: Buffer, start: number, end: number, buffers: ChunkBuffers): Buffer {
  const out = buffers.alloc(end - start);
  buf.copy(out, 0, start, end);
  return out;
}
