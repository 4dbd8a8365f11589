import { LifeboatError } from '../errors/index.js';
import type { BlobType, Id } from '../model/index.js';
// Named modules, not the model barrel: this file runs on the worker threads too,
// and each thread loads what it imports (see blob-worker.ts).
import { idFromBytes, idToBytes } from '../model/id.js';

/** A blob's place inside a pack file. `uncompressedLength` 0 means stored uncompressed. */
export interface PackedBlob {
  readonly type: BlobType;
  readonly id: Id;
  readonly offset: number;
  /** Stored length: the sealed bytes, including the 32 bytes of crypto overhead. */
  readonly length: number;
  readonly uncompressedLength: number;
}

const CRYPTO_OVERHEAD = 32;
const ENTRY_PLAIN = 37;
const ENTRY_COMPRESSED = 41;
/** restic refuses headers above 16 MiB; so do we, before allocating. */
export const MAX_HEADER_SIZE = 16 * 1024 * 1024;
export const MIN_PACK_SIZE = 4 + CRYPTO_OVERHEAD + ENTRY_PLAIN;

export function headerEntrySize(b: Pick<PackedBlob, 'uncompressedLength'>): number {
  return b.uncompressedLength > 0 ? ENTRY_COMPRESSED : ENTRY_PLAIN;
}

/** The plaintext header: one entry per blob, in file order, no count and no padding. */
export function encodePackHeader(blobs: readonly PackedBlob[]): Uint8Array {
  let size = 0;
  for (const b of blobs) size += headerEntrySize(b);
  const out = Buffer.alloc(size);
  let p = 0;
  for (const b of blobs) {
    const compressed = b.uncompressedLength > 0;
    out[p] = (b.type === 'tree' ? 1 : 0) + (compressed ? 2 : 0);
    out.writeUInt32LE(b.length, p + 1);
    p += 5;
    if (compressed) {
      out.writeUInt32LE(b.uncompressedLength, p);
      p += 4;
    }
    out.set(idToBytes(b.id), p);
    p += 32;
  }
  return out;
}

/** Decodes a plaintext header; offsets follow from the lengths since blobs are contiguous. */
export function decodePackHeader(plain: Uint8Array): PackedBlob[] {
  const buf = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  const blobs: PackedBlob[] = [];
  let p = 0;
  let offset = 0;
  while (p < buf.length) {
    const t = buf[p]!;
    if (t > 3) throw new LifeboatError('INVALID_DATA', `pack header: invalid blob type ${t} at entry ${blobs.length}`);
    const compressed = t >= 2;
    const size = compressed ? ENTRY_COMPRESSED : ENTRY_PLAIN;
    if (p + size > buf.length) throw new LifeboatError('INVALID_DATA', `pack header: truncated entry ${blobs.length}`);
    const length = buf.readUInt32LE(p + 1);
    const uncompressedLength = compressed ? buf.readUInt32LE(p + 5) : 0;
    const id = idFromBytes(buf.subarray(p + size - 32, p + size));
    if (length < CRYPTO_OVERHEAD) throw new LifeboatError('INVALID_DATA', `pack header: blob ${id.slice(0, 8)} is shorter than its crypto overhead`);
    blobs.push({ type: t % 2 === 1 ? 'tree' : 'data', id, offset, length, uncompressedLength });
    offset += length;
    p += size;
  }
  return blobs;
}

/** Reads the trailing u32le header length and checks it against the file size. */
export function parseHeaderLength(tail4: Uint8Array, fileSize: number): number {
  if (fileSize < MIN_PACK_SIZE) throw new LifeboatError('INVALID_DATA', `pack is too small (${fileSize} bytes)`);
  const n = Buffer.from(tail4.buffer, tail4.byteOffset, 4).readUInt32LE(0);
  if (n < CRYPTO_OVERHEAD || n > MAX_HEADER_SIZE || n > fileSize - 4) {
    throw new LifeboatError('INVALID_DATA', `pack header length ${n} is invalid for a file of ${fileSize} bytes`);
  }
  return n;
}

/** The exact file size a pack with these blobs must have (what `check` compares). */
export function expectedPackSize(blobs: readonly PackedBlob[]): number {
  let size = 4 + CRYPTO_OVERHEAD;
  for (const b of blobs) size += b.length + headerEntrySize(b);
  return size;
}
