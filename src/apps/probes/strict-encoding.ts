import { LifeboatError } from '../../errors/index.js';

// Node's base64 decoder silently skips characters it does not know, so a damaged value would
// decode to different bytes instead of failing. Every decoder here checks the shape first.
const STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Standard padded base64; `what` names the part in the error, never its content. */
export function fromBase64(s: string, what: string): Uint8Array {
  if (!STD.test(s)) throw new LifeboatError('INVALID_DATA', `${what} is not padded base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Standard padded base64, or URL-safe base64 without padding (Rails' `url_safe: true`). */
export function fromBase64Lenient(s: string, what: string): Uint8Array {
  if (STD.test(s)) return new Uint8Array(Buffer.from(s, 'base64'));
  if (URL_SAFE.test(s) && s.length % 4 !== 1) return new Uint8Array(Buffer.from(s, 'base64url'));
  throw new LifeboatError('INVALID_DATA', `${what} is not base64`);
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

export function fromHex(s: string, what: string): Uint8Array {
  if (!HEX.test(s)) throw new LifeboatError('INVALID_DATA', `${what} is not hexadecimal`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Latin-1-free view of text as bytes: what Ruby and PHP see in a string. */
export function utf8(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? new TextEncoder().encode(s) : s;
}

/** Splits `s` on `sep` into exactly `n` non-empty parts (the first may be empty if `emptyFirst`), or fails naming the format. */
export function splitExactly(s: string, sep: string, n: number, format: string, emptyFirst = false): string[] {
  const parts = s.split(sep);
  if (parts.length !== n || parts.some((p, i) => p.length === 0 && !(emptyFirst && i === 0))) {
    throw new LifeboatError('INVALID_DATA', `value is not in ${format} format (expected ${n} parts separated by "${sep}")`);
  }
  return parts;
}
