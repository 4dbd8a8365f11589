import { randomFillSync } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';
import { clampPoly1305R } from './poly1305-aes.js';
import { decodeStdBase64, encodeStdBase64 } from './std-base64.js';

/**
 * The keys that encrypt a repository (or, derived from a password, one key file). Treat the byte
 * arrays as immutable: they are secrets, and the cipher caches per-key state.
 */
export interface MasterKey {
  /** AES-256 key for CTR mode, 32 bytes. */
  readonly encrypt: Uint8Array;
  /** AES-128 key that turns each IV into Poly1305's `s`, 16 bytes. */
  readonly macK: Uint8Array;
  /** Poly1305 `r`, 16 bytes, always clamped. */
  readonly macR: Uint8Array;
}

/** A fresh random master key, as `restic init` makes. */
export function newMasterKey(): MasterKey {
  const raw = randomFillSync(new Uint8Array(64));
  const key: MasterKey = {
    encrypt: raw.slice(0, 32),
    macK: raw.slice(32, 48),
    macR: clampPoly1305R(raw.subarray(48, 64)),
  };
  raw.fill(0);
  return key;
}

function checkLength(b: Uint8Array, n: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new LifeboatError('INVALID_ARGUMENT', `master key ${what} must be ${n} bytes`);
  }
}

/**
 * restic's master key JSON, byte for byte: `{"mac":{"k":"…","r":"…"},"encrypt":"…"}` (Go field
 * order, no spaces, no newline; 128 bytes). Written by hand because base64 never needs JSON escaping
 * and the exact bytes are what a key file encrypts.
 */
export function encodeMasterKeyJson(k: MasterKey): Uint8Array {
  checkLength(k.encrypt, 32, 'encrypt');
  checkLength(k.macK, 16, 'mac.k');
  checkLength(k.macR, 16, 'mac.r');
  const json =
    `{"mac":{"k":"${encodeStdBase64(k.macK)}","r":"${encodeStdBase64(k.macR)}"},` +
    `"encrypt":"${encodeStdBase64(k.encrypt)}"}`;
  return new TextEncoder().encode(json);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(b64: unknown, n: number, what: string): Uint8Array {
  const b = decodeStdBase64(b64, `master key ${what}`);
  if (b.length !== n) throw new LifeboatError('INVALID_DATA', `master key ${what} must be ${n} bytes, got ${b.length}`);
  return b;
}

/**
 * Parses master key JSON (normally the plaintext of a key file's `data`). Errors name the bad field
 * but never quote the input, and never chain the JSON parser's error, whose message would contain
 * part of the key. `r` is clamped on the way in, as restic does on every use.
 */
export function decodeMasterKeyJson(bytes: Uint8Array): MasterKey {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new LifeboatError('INVALID_DATA', 'master key is not valid JSON (key file damaged?)');
  }
  if (!isObject(doc) || !isObject(doc['mac'])) {
    throw new LifeboatError('INVALID_DATA', 'master key JSON lacks the "mac" object');
  }
  return {
    encrypt: field(doc['encrypt'], 32, 'encrypt'),
    macK: field(doc['mac']['k'], 16, 'mac.k'),
    macR: clampPoly1305R(field(doc['mac']['r'], 16, 'mac.r')),
  };
}
