import { LifeboatError } from '../errors/index.js';
import { compress, decompress } from './compression.js';

/**
 * Plaintext of index, snapshot and lock files in a v2 repository: `0x02 || zstd(JSON)`.
 * Readers also accept raw JSON (first byte `{` or `[`), as restic does.
 */
export function encodeUnpacked(json: Uint8Array, repoVersion: number): Uint8Array {
  if (repoVersion === 1) return json;
  const z = compress(json);
  const out = new Uint8Array(1 + z.length);
  out[0] = 2;
  out.set(z, 1);
  return out;
}

export function decodeUnpacked(plain: Uint8Array): Uint8Array {
  if (plain.length === 0) throw new LifeboatError('INVALID_DATA', 'file is empty after decryption');
  const first = plain[0];
  if (first === 0x7b || first === 0x5b) return plain;
  if (first === 2) return decompress(plain.subarray(1));
  throw new LifeboatError('INVALID_DATA', `not supported encoding format (first byte 0x${first!.toString(16)})`);
}
