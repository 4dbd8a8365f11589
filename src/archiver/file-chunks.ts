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
  let carry: Uint8Array | undefined;
  let total = 0;
  let pendingFirst = first;
  for (;;) {
    let block: Uint8Array;
    if (pendingFirst) {
      block = pendingFirst;
      pendingFirst = undefined;
    } else {
      const buf = Buffer.allocUnsafeSlow(READ_SIZE);
      const n = readFull(fd, buf);
      if (n === 0) break;
      block = buf.subarray(0, n);
    }
    total += block.length;
    let start = 0;
    for (const cut of chunker.push(block)) {
      yield join(carry, block.subarray(start, cut));
      carry = undefined;
      start = cut;
    }
    carry = start < block.length ? join(carry, block.subarray(start)) : carry;
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

function join(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (a === undefined || a.length === 0) return b;
  if (b.length === 0) return a;
  const out = Buffer.allocUnsafeSlow(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
