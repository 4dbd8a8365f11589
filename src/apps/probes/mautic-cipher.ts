import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../../errors/index.js';
import { fromBase64, splitExactly, toBase64, toHex, utf8 } from './strict-encoding.js';

const IV = 16;
const MAC_HEX = 64;

/** Mautic's `secret_key`: 64 hex characters, hex-decoded to the AES-256 key. */
export interface MauticKey {
  readonly aes: Uint8Array;
  /** The ASCII text of the last 32 hex characters of the key (as PHP's bin2hex writes them). */
  readonly mac: Uint8Array;
}

export function mauticKey(secretKey: string | Uint8Array): MauticKey {
  const text = (typeof secretKey === 'string' ? secretKey : new TextDecoder().decode(secretKey)).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new LifeboatError('INVALID_ARGUMENT', 'a Mautic secret_key is 64 hexadecimal characters; this one is not');
  const aes = new Uint8Array(Buffer.from(text, 'hex'));
  return { aes, mac: new TextEncoder().encode(toHex(aes).slice(-32)) };
}

function macHex(key: MauticKey, data: Uint8Array): string {
  return createHmac('sha256', key.mac).update(data).digest('hex');
}

/** Encrypts `serialized` (a PHP serialize() string) as Mautic stores it: `base64(base64(ct))|base64(iv)`. */
export function mauticEncrypt(key: MauticKey, serialized: Uint8Array | string, iv: Uint8Array = randomBytes(IV)): string {
  const data = utf8(serialized);
  const c = createCipheriv('aes-256-cbc', key.aes, iv);
  const ct = Buffer.concat([c.update(data), c.update(macHex(key, data), 'ascii'), c.final()]);
  return `${Buffer.from(toBase64(ct)).toString('base64')}|${toBase64(iv)}`;
}

/**
 * Opens a Mautic value and checks the HMAC it carries at the end of the plaintext. Mautic itself
 * answers `false` on failure, which makes credentials look empty; here it is an error.
 */
export function mauticDecrypt(key: MauticKey, stored: string): Uint8Array {
  const [ctPart, ivPart] = splitExactly(stored.trim(), '|', 2, 'Mautic');
  const outer = new TextDecoder().decode(fromBase64(ctPart!, 'the ciphertext part'));
  const ct = fromBase64(outer, 'the inner ciphertext');
  const iv = fromBase64(ivPart!, 'the IV part');
  if (iv.length !== IV || ct.length === 0 || ct.length % 16 !== 0) throw new LifeboatError('INVALID_DATA', 'value is not in Mautic format (IV or ciphertext of the wrong size)');
  const d = createDecipheriv('aes-256-cbc', key.aes, iv);
  let plain: Buffer;
  try {
    plain = Buffer.concat([d.update(ct), d.final()]);
  } catch {
    throw new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', 'Mautic value does not open with this key (wrong key or damaged value)');
  }
  const data = plain.subarray(0, Math.max(0, plain.length - MAC_HEX));
  const given = plain.subarray(data.length);
  const expected = Buffer.from(macHex(key, data), 'ascii');
  if (given.length !== MAC_HEX || !timingSafeEqual(given, expected)) {
    plain.fill(0);
    throw new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', 'Mautic value does not verify with this key (wrong key or damaged value)');
  }
  const out = new Uint8Array(data);
  plain.fill(0);
  return out;
}
