import { closeSync, openSync, readSync } from 'node:fs';
import { CHUNK_MIN_SIZE, type Chunker } from '../repo/index.js';

const READ_SIZE = 8 * 1024 * 1024;

/**
 * Reads a file and yields its chunks as restic cuts them. A file below the minimum chunk
 * size (most files) is one chunk, read in one go into a buffer of exactly its size, which
 * can then be handed to a worker thread without a copy. Larger files are read in 8 MiB
 * blocks: memory stays under two blocks whatever the file size. Returns the bytes read.
 */
export function* readFileChunks(path: Buffer | string, chunker: Chunker, sizeHint: number): Generator<Uint8Array, number> {
  const fd = openSync(path, 'r');
  try {
    if (sizeHint < CHUNK_MIN_SIZE) {
      // One byte more than expected tells us whether the file grew since lstat.
      const buf = Buffer.allocUnsafeSlow(sizeHint + 1);
      const n = readFull(fd, buf);
      if (n <= sizeHint) {
        if (n > 0) yield buf.subarray(0, n);
        return n;
      }
      return yield* chunkBlocks(fd, chunker, buf);
    }
    return yield* chunkBlocks(fd, chunker, undefined);
  } finally {
    chunker.finish(); // leaves the chunker clean even after a read error
    closeSync(fd);
  }
}

function* chunkBlocks(fd: number, chunker: Chunker, first: Buffer | undefined): Generator<Uint8Array, number> {
  // One read buffer per file, reused: every chunk is copied out of it into a buffer of its
  // own exact size, which then moves to a worker thread without another copy.
  let block: Buffer | undefined;
  let carry: Uint8Array | undefined;
  let total = 0;
  let pendingFirst = first;
  for (;;) {
    let data: Uint8Array;
    if (pendingFirst) {
      data = pendingFirst;
      pendingFirst = undefined;
    } else {
      block ??= Buffer.allocUnsafeSlow(READ_SIZE);
      const n = readFull(fd, block);
      if (n === 0) break;
      data = block.subarray(0, n);
    }
    total += data.length;
    let start = 0;
    for (const cut of chunker.push(data)) {
      yield concat(carry, data.subarray(start, cut));
      carry = undefined;
      start = cut;
    }
    // The rest of the block must survive the next read into the same buffer.
    if (start < data.length) carry = concat(carry, data.subarray(start));
  }
  chunker.finish();
  if (carry !== undefined && carry.length > 0) yield carry;
  return total;
}

function readFull(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, null);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** A fresh buffer of exactly a + b (always a copy: the inputs may be reused). */
function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  const alen = a?.length ?? 0;
  const out = Buffer.allocUnsafeSlow(alen + b.length);
  if (a) out.set(a, 0);
  out.set(b, alen);
  return out;
}
