import { createCipheriv, type Cipher } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';
import { sodium } from './sodium.js';

/** Bytes in a Poly1305 tag, in a nonce (the object's IV) and in each half of a MAC key. */
export const POLY1305_TAG_BYTES = 16;

/**
 * Clears the bits Poly1305 requires to be zero in `r` (a copy is returned). restic clamps on every
 * use and also stores master keys clamped; libsodium clamps too, so this only keeps our own copies
 * canonical and lets them round-trip byte for byte.
 */
export function clampPoly1305R(r: Uint8Array): Uint8Array {
  const c = Uint8Array.from(r);
  c[3] &= 0x0f;
  c[7] &= 0x0f;
  c[11] &= 0x0f;
  c[15] &= 0x0f;
  c[4] &= 0xfc;
  c[8] &= 0xfc;
  c[12] &= 0xfc;
  return c;
}

function expectLength(what: string, b: Uint8Array, n: number): void {
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new LifeboatError('INVALID_ARGUMENT', `${what} must be ${n} bytes`);
  }
}

/**
 * Poly1305-AES for one MAC key (k, r), as restic uses it: the one-time key is r || AES-128(k, nonce).
 * One instance keeps a single AES-128-ECB cipher alive for its key: creating one costs about 2 µs,
 * four times the cost of encrypting the block and a third of the cost of sealing a small blob.
 * ECB carries no state between blocks, so reusing it is sound as long as `final()` is never called.
 */
export class Poly1305Aes {
  readonly #ecb: Cipher;
  /** r || s; the s half is rewritten for every nonce. */
  readonly #oneTimeKey = new Uint8Array(32);

  constructor(macK: Uint8Array, macR: Uint8Array) {
    expectLength('Poly1305-AES key k', macK, 16);
    expectLength('Poly1305-AES key r', macR, 16);
    this.#ecb = createCipheriv('aes-128-ecb', macK, null);
    this.#ecb.setAutoPadding(false);
    this.#oneTimeKey.set(clampPoly1305R(macR), 0);
  }

  #keyFor(nonce: Uint8Array): Uint8Array {
    expectLength('nonce', nonce, 16);
    this.#oneTimeKey.set(this.#ecb.update(nonce), 16);
    return this.#oneTimeKey;
  }

  /** Writes the tag of `msg` into `out` (16 bytes). */
  tagInto(nonce: Uint8Array, msg: Uint8Array, out: Uint8Array): void {
    sodium.crypto_onetimeauth(out, msg, this.#keyFor(nonce));
  }

  /** Constant-time comparison of `tag` with the tag of `msg`. */
  verify(nonce: Uint8Array, msg: Uint8Array, tag: Uint8Array): boolean {
    return sodium.crypto_onetimeauth_verify(tag, msg, this.#keyFor(nonce));
  }

  /** The tag of a message given in parts: for objects read piece by piece. */
  stream(nonce: Uint8Array): Poly1305Stream {
    return new Poly1305Stream(this.#keyFor(nonce));
  }
}

/** Poly1305 over a message fed in parts; `matches` ends it. */
export class Poly1305Stream {
  readonly #state = new Uint8Array(sodium.crypto_onetimeauth_STATEBYTES);

  constructor(oneTimeKey: Uint8Array) {
    sodium.crypto_onetimeauth_init(this.#state, oneTimeKey);
  }

  update(part: Uint8Array): void {
    sodium.crypto_onetimeauth_update(this.#state, part);
  }

  /** Constant-time comparison of `tag` with the tag of everything fed. */
  matches(tag: Uint8Array): boolean {
    const mine = new Uint8Array(POLY1305_TAG_BYTES);
    sodium.crypto_onetimeauth_final(this.#state, mine);
    return tag.length === POLY1305_TAG_BYTES && sodium.sodium_memcmp(mine, tag);
  }
}

/** Poly1305-AES tag of `msg` (exported mainly so tests can check the published vectors). */
export function macPoly1305Aes(macK: Uint8Array, macR: Uint8Array, nonce: Uint8Array, msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(POLY1305_TAG_BYTES);
  new Poly1305Aes(macK, macR).tagInto(nonce, msg, out);
  return out;
}
