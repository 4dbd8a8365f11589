import { createRequire } from 'node:module';

/**
 * The slice of sodium-native that Lifeboat uses. The package ships no TypeScript types and is
 * CommonJS, so it is loaded through `createRequire` and typed here, narrowly, instead of with an
 * ambient `declare module` that could clash with a declaration elsewhere in the project.
 */
export interface SodiumSubset {
  /** Writes the 16-byte Poly1305 tag of `input` under the 32-byte one-time key `r || s`. */
  crypto_onetimeauth(out: Uint8Array, input: Uint8Array, key: Uint8Array): void;
  /** Constant-time check of a 16-byte tag; true when it matches. */
  crypto_onetimeauth_verify(tag: Uint8Array, input: Uint8Array, key: Uint8Array): boolean;
  /** Incremental Poly1305: a state of crypto_onetimeauth_STATEBYTES, then updates, then the tag. */
  crypto_onetimeauth_init(state: Uint8Array, key: Uint8Array): void;
  crypto_onetimeauth_update(state: Uint8Array, input: Uint8Array): void;
  crypto_onetimeauth_final(state: Uint8Array, out: Uint8Array): void;
  readonly crypto_onetimeauth_STATEBYTES: number;
  /** Constant-time equality of two buffers of the same length. */
  sodium_memcmp(a: Uint8Array, b: Uint8Array): boolean;
  /** Fills a buffer from libsodium's CSPRNG; about three times cheaper than node:crypto for an IV. */
  randombytes_buf(buf: Uint8Array): void;
}

export const sodium = createRequire(import.meta.url)('sodium-native') as SodiumSubset;
