import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../../errors/index.js';
import { fromBase64, toBase64, utf8 } from './strict-encoding.js';

const IV = 16;

/** Laravel's APP_KEY: `base64:` and 32 (AES-256-CBC) or 16 (AES-128-CBC) bytes; a bare key is its raw bytes. */
export function laravelKey(appKey: string | Uint8Array): Uint8Array {
  const text = (typeof appKey === 'string' ? appKey : new TextDecoder().decode(appKey)).trim();
  const key = text.startsWith('base64:') ? fromBase64(text.slice(7), 'APP_KEY') : new TextEncoder().encode(text);
  if (key.length !== 32 && key.length !== 16) throw new LifeboatError('INVALID_ARGUMENT', `a Laravel APP_KEY has 16 or 32 bytes, this one has ${key.length}`);
  return key;
}

const cipherOf = (key: Uint8Array): 'aes-256-cbc' | 'aes-128-cbc' => (key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc');
const macOf = (key: Uint8Array, iv: string, value: string): Buffer => createHmac('sha256', key).update(iv + value, 'utf8').digest();

/** Laravel's Encrypter: `base64(JSON {iv, value, mac, tag})`, mac = hex HMAC-SHA256(key, iv . value) over the base64 texts. */
export function laravelEncrypt(key: Uint8Array, serialized: Uint8Array | string, ivBytes: Uint8Array = randomBytes(IV)): string {
  const c = createCipheriv(cipherOf(key), key, ivBytes);
  const iv = toBase64(ivBytes);
  const value = toBase64(Buffer.concat([c.update(utf8(serialized)), c.final()]));
  const payload = { iv, value, mac: macOf(key, iv, value).toString('hex'), tag: '' };
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

function payloadOf(stored: string): { iv: string; value: string; mac: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(stored.trim(), 'the payload')));
  } catch (e) {
    if (e instanceof LifeboatError) throw e;
    throw new LifeboatError('INVALID_DATA', 'value is not a Laravel payload (not JSON)');
  }
  const p = json as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null || typeof p['iv'] !== 'string' || typeof p['value'] !== 'string' || typeof p['mac'] !== 'string') {
    throw new LifeboatError('INVALID_DATA', 'value is not a Laravel payload (needs iv, value and mac)');
  }
  if (typeof p['tag'] === 'string' && p['tag'] !== '') throw new LifeboatError('INVALID_DATA', 'Laravel AES-GCM payloads are not supported; only AES-CBC with a MAC');
  return { iv: p['iv'], value: p['value'], mac: p['mac'] };
}

/** Verifies the MAC first (that alone proves the key), then decrypts. */
export function laravelDecrypt(key: Uint8Array, stored: string): Uint8Array {
  const p = payloadOf(stored);
  const iv = fromBase64(p.iv, 'the iv field');
  const ct = fromBase64(p.value, 'the value field');
  if (iv.length !== IV || ct.length === 0 || ct.length % 16 !== 0) throw new LifeboatError('INVALID_DATA', 'value is not a Laravel payload (IV or ciphertext of the wrong size)');
  if (!/^[0-9a-f]{64}$/.test(p.mac)) throw new LifeboatError('INVALID_DATA', 'value is not a Laravel payload (mac is not 64 hex characters)');
  if (!timingSafeEqual(Buffer.from(p.mac, 'hex'), macOf(key, p.iv, p.value))) {
    throw new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', 'Laravel value does not verify with this APP_KEY (wrong key or damaged value)');
  }
  const d = createDecipheriv(cipherOf(key), key, iv);
  try {
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    throw new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', 'Laravel value does not open with this APP_KEY (wrong key or damaged value)');
  }
}
