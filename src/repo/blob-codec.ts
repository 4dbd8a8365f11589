import { createHash } from 'node:crypto';
import type { MasterKey } from '../crypto/index.js';
// Named modules, not the crypto and model barrels: this file runs on the worker threads too,
// and each thread loads what it imports (see blob-worker.ts).
import { open, seal } from '../crypto/authenticated-cipher.js';
import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import { compress, decompress, type CompressionMode } from './compression.js';

/** A blob ready to be appended to a pack. */
export interface SealedBlob {
  readonly id: Id;
  readonly sealed: Uint8Array;
  /** 0 when stored uncompressed. */
  readonly uncompressedLength: number;
}

/**
 * Compress (when it helps, or always for trees, as restic does) and encrypt one blob.
 * Data that does not shrink is stored raw: it costs restic nothing to read, and it saves
 * the 10-byte frame overhead and the decompression on restore.
 */
export function sealBlob(key: MasterKey, id: Id, plain: Uint8Array, mode: CompressionMode, isTree: boolean): SealedBlob {
  // An empty plaintext cannot be stored compressed: uncompressed length 0 means "raw".
  if ((mode !== 'off' || isTree) && plain.length > 0) {
    const z = compress(plain, mode === 'off' ? 'auto' : mode);
    if (isTree || z.length < plain.length) return { id, sealed: seal(key, z), uncompressedLength: plain.length };
  }
  return { id, sealed: seal(key, plain), uncompressedLength: 0 };
}

/** Decrypt, decompress and verify a stored blob against its ID. */
export function openBlob(key: MasterKey, id: Id, sealed: Uint8Array, uncompressedLength: number): Uint8Array {
  const payload = open(key, sealed);
  const plain = uncompressedLength > 0 ? decompress(payload, uncompressedLength) : payload;
  const actual = createHash('sha256').update(plain).digest('hex');
  if (actual !== id) {
    throw new LifeboatError('HASH_MISMATCH', `blob ${id.slice(0, 8)} is corrupt: its content hashes to ${actual.slice(0, 8)}`, { data: { blobId: id } });
  }
  return plain;
}

export function blobId(plain: Uint8Array): Id {
  return createHash('sha256').update(plain).digest('hex');
}
