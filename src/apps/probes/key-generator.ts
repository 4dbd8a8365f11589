import { pbkdf2Sync } from 'node:crypto';
import { LifeboatError } from '../../errors/index.js';
import { utf8 } from './strict-encoding.js';

export type KeyDigest = 'sha1' | 'sha256';

/**
 * ActiveSupport::KeyGenerator: PBKDF2-HMAC with the app secret as the password and a purpose
 * string as the salt. Rails apps use 1000 iterations for their own key generator (Active
 * Storage, cookies); Decidim calls it the other way round (see decidim-attribute.ts).
 */
export function generateKey(password: string | Uint8Array, salt: string | Uint8Array, iterations: number, length: number, digest: KeyDigest): Uint8Array {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || !Number.isSafeInteger(length) || length < 1 || length > 1024) {
    throw new LifeboatError('INVALID_ARGUMENT', `key generator needs positive iterations and a length of 1 to 1024 bytes, got ${iterations} and ${length}`);
  }
  return new Uint8Array(pbkdf2Sync(utf8(password), utf8(salt), iterations, length, digest));
}
