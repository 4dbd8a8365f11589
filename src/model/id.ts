import { createHash } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';

/** A 32-byte SHA-256 ID, kept as lower-case hex: the form restic uses in every file name and JSON. */
export type Id = string;

const HEX64 = /^[0-9a-f]{64}$/;

export function isId(s: string): boolean {
  return HEX64.test(s);
}

export function parseId(s: string, what = 'ID'): Id {
  if (!isId(s)) throw new LifeboatError('INVALID_DATA', `invalid ${what} "${s.slice(0, 80)}": expected 64 lower-case hex digits`);
  return s;
}

export function hashId(...parts: Uint8Array[]): Id {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export function idToBytes(id: Id): Uint8Array {
  return Buffer.from(parseId(id), 'hex');
}

export function idFromBytes(b: Uint8Array): Id {
  if (b.length !== 32) throw new LifeboatError('INVALID_DATA', `invalid ID: expected 32 bytes, got ${b.length}`);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export const shortId = (id: Id): string => id.slice(0, 8);
