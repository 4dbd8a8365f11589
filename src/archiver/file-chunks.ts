import { closeSync, openSync, readSync } from 'node:fs';
import { CHUNK_MIN_SIZE, type Chunker } from '../repo/index.js';

const READ_SIZE = 8 * 1024 * 1024;

/**
 * Reads a file and yields its chunks as restic cuts them. Small files (below the minimum
 * chunk size) are one chunk and are read in one go. Memory stays under two chunks
 * whatever the file size: a file is never held whole.
 */
export function* readFileChunks(path: Buffer | string, chunker: Chunker): Generator<Uint8Array, number> {
  const fd = openSync(path, 'r');
  try {
    let carry: Uint8Array | undefined;
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(carry === undefined && total === 0 ? CHUNK_MIN_SIZE : READ_SIZE);
      const n = readFull(fd, buf);
      if (n === 0) break;
      const block = buf.subarray(0, n);
      total += n;
      if (total < CHUNK_MIN_SIZE && n < buf.length) {
        // The whole file fits in the first read and is below the minimum: a single chunk.
        chunker.finish();
        yield block;
        return total;
      }
      let start = 0;
      for (const cut of chunker.push(block)) {
        yield join(carry, block.subarray(start, cut));
        carry = undefined;
        start = cut;
      }
      carry = join(carry, block.subarray(start));
      if (carry.length === 0) carry = undefined;
    }
    chunker.finish();
    if (carry !== undefined && carry.length > 0) yield carry;
    return total;
  } finally {
    chunker.finish(); // leaves the chunker clean for the next file, even after a read error
    closeSync(fd);
  }
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
  const out = Buffer.allocUnsafe(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

