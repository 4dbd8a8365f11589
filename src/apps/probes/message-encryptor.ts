import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LifeboatError } from '../../errors/index.js';
import { signMessage, verifyMessage, type VerifierDigest } from './message-verifier.js';
import { fromBase64, splitExactly, toBase64 } from './strict-encoding.js';

const GCM_IV = 12;
const GCM_TAG = 16;
const CBC_IV = 16;

function gcmCipher(key: Uint8Array): 'aes-128-gcm' | 'aes-256-gcm' {
  if (key.length === 32) return 'aes-256-gcm';
  if (key.length === 16) return 'aes-128-gcm';
  throw new LifeboatError('INVALID_ARGUMENT', `an AES-GCM key has 16 or 32 bytes, got ${key.length}`);
}

function wrongKey(format: string): LifeboatError {
  return new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', `${format} value does not open with this key (wrong key or damaged value)`);
}

/**
 * ActiveSupport::MessageEncryptor, authenticated mode: `base64(ct)--base64(iv)--base64(tag)`,
 * AES-GCM (256 with a 32-byte key, 128 with a 16-byte key as Rails credentials use), empty
 * additional data. `iv` is for tests and fixtures only; normally it is random.
 */
export function encryptGcm(key: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = randomBytes(GCM_IV)): string {
  if (iv.length !== GCM_IV) throw new LifeboatError('INVALID_ARGUMENT', `a GCM IV has ${GCM_IV} bytes`);
  const c = createCipheriv(gcmCipher(key), key, iv);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return [toBase64(ct), toBase64(iv), toBase64(c.getAuthTag())].join('--');
}

/** Opens an authenticated MessageEncryptor value (an empty plaintext has an empty first part, as in Rails), or throws (INVALID_DATA: not this format; CIPHERTEXT_VERIFICATION_FAILED: wrong key). */
export function decryptGcm(key: Uint8Array, message: string): Uint8Array {
  const algorithm = gcmCipher(key);
  const [ctPart, ivPart, tagPart] = splitExactly(message.trim(), '--', 3, 'Rails AES-GCM', true) as [string, string, string];
  const ct = fromBase64(ctPart, 'the ciphertext part');
  const iv = fromBase64(ivPart, 'the IV part');
  const tag = fromBase64(tagPart, 'the auth tag part');
  if (iv.length !== GCM_IV || tag.length !== GCM_TAG) {
    throw new LifeboatError('INVALID_DATA', `value is not in Rails AES-GCM format (IV of ${iv.length} bytes, tag of ${tag.length}; expected ${GCM_IV} and ${GCM_TAG})`);
  }
  const d = createDecipheriv(algorithm, key, iv, { authTagLength: GCM_TAG });
  d.setAuthTag(tag);
  try {
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    throw wrongKey('Rails AES-GCM');
  }
}

/** The keys of legacy MessageEncryptor: AES-256-CBC with `encrypt`, HMAC with `sign` (Rails uses the same secret when none is given). */
export interface CbcHmacKeys {
  readonly encrypt: Uint8Array;
  readonly sign: Uint8Array;
  readonly digest: VerifierDigest;
}

/** Legacy MessageEncryptor: `base64("base64(ct)--base64(iv)")--hex(hmac)`, AES-256-CBC + PKCS#7. */
export function encryptCbcHmac(keys: CbcHmacKeys, plaintext: Uint8Array, iv: Uint8Array = randomBytes(CBC_IV)): string {
  if (keys.encrypt.length !== 32) throw new LifeboatError('INVALID_ARGUMENT', `an AES-256-CBC key has 32 bytes, got ${keys.encrypt.length}`);
  if (iv.length !== CBC_IV) throw new LifeboatError('INVALID_ARGUMENT', `a CBC IV has ${CBC_IV} bytes`);
  const c = createCipheriv('aes-256-cbc', keys.encrypt, iv);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  const inner = `${toBase64(ct)}--${toBase64(iv)}`;
  return signMessage(keys.sign, new TextEncoder().encode(inner), keys.digest);
}

export function decryptCbcHmac(keys: CbcHmacKeys, message: string): Uint8Array {
  if (keys.encrypt.length !== 32) throw new LifeboatError('INVALID_ARGUMENT', `an AES-256-CBC key has 32 bytes, got ${keys.encrypt.length}`);
  // The HMAC is checked before anything is decrypted, so a wrong key never reaches the padding check.
  const inner = new TextDecoder('utf-8', { fatal: false }).decode(verifyMessage(keys.sign, message, keys.digest));
  const [ctPart, ivPart] = splitExactly(inner, '--', 2, 'Rails AES-CBC');
  const ct = fromBase64(ctPart!, 'the ciphertext part');
  const iv = fromBase64(ivPart!, 'the IV part');
  if (iv.length !== CBC_IV || ct.length === 0 || ct.length % 16 !== 0) {
    throw new LifeboatError('INVALID_DATA', 'value is not in Rails AES-CBC format (IV or ciphertext of the wrong size)');
  }
  const d = createDecipheriv('aes-256-cbc', keys.encrypt, iv);
  try {
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    throw wrongKey('Rails AES-CBC');
  }
}
