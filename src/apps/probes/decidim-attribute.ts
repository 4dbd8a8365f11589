import { generateKey, type KeyDigest } from './key-generator.js';
import { decryptCbcHmac, decryptGcm, encryptCbcHmac, encryptGcm } from './message-encryptor.js';
import { utf8 } from './strict-encoding.js';

/** The purposes Decidim derives keys for: attributes, and votes' personal metadata (always SHA-1). */
export type DecidimPurpose = 'attribute' | 'personal user metadata';
const ITERATIONS = 65536;

/**
 * Decidim::AttributeEncryptor's key: PBKDF2 with the purpose string as the *password* and the
 * SECRET_KEY_BASE as the *salt* (the reverse of Rails' own key generator), 32 bytes.
 */
export function decidimKey(secretKeyBase: string | Uint8Array, digest: KeyDigest, purpose: DecidimPurpose = 'attribute'): Uint8Array {
  return generateKey(purpose, secretKeyBase, ITERATIONS, 32, digest);
}

/** Encrypts like Decidim (AES-256-GCM MessageEncryptor); `legacy` writes the old CBC + HMAC-SHA1 form. */
export function decidimEncrypt(key: Uint8Array, plaintext: Uint8Array | string, legacy = false): string {
  const p = utf8(plaintext);
  return legacy ? encryptCbcHmac({ encrypt: key, sign: key, digest: 'sha1' }, p) : encryptGcm(key, p);
}

/** A GCM value has three `--` parts; a legacy CBC one has two (base64 then a hex digest). */
export function decidimDecrypt(key: Uint8Array, value: string): Uint8Array {
  const parts = value.trim().split('--').length;
  return parts === 2 ? decryptCbcHmac({ encrypt: key, sign: key, digest: 'sha1' }, value) : decryptGcm(key, value);
}
