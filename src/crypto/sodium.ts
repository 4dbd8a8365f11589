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
  /** Fills a buffer from libsodium's CSPRNG; about three times cheaper than node:crypto for an IV. */
  randombytes_buf(buf: Uint8Array): void;
}

export const sodium = createRequire(import.meta.url)('sodium-native') as SodiumSubset;
