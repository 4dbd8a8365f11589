import { LifeboatError } from '../errors/index.js';

// Go's encoding/json stores []byte as standard, padded base64. Node's decoder silently skips
// characters it does not know, so the shape is checked first: a damaged field must fail here
// rather than decode to a shorter or different value.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard padded base64; `what` names the field in the error (never the value). */
export function decodeStdBase64(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !STD_BASE64.test(s)) {
    throw new LifeboatError('INVALID_DATA', `${what} is not standard padded base64`);
  }
  // Copy out of Node's shared allocation pool: these bytes may be key material.
  const b = Buffer.from(s, 'base64');
  const copy = new Uint8Array(b);
  b.fill(0);
  return copy;
}

export function encodeStdBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}
