import { createHmac, timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../../errors/index.js';
import { fromBase64Lenient, fromHex, toBase64, utf8 } from './strict-encoding.js';

export type VerifierDigest = 'sha1' | 'sha256';
const HEX_LENGTH: Record<VerifierDigest, number> = { sha1: 40, sha256: 64 };

function hmacHex(key: Uint8Array, data: string, digest: VerifierDigest): string {
  return createHmac(digest, key).update(data, 'utf8').digest('hex');
}

/** ActiveSupport::MessageVerifier: `base64(data)--hex(HMAC(key, base64(data)))`. */
export function signMessage(key: Uint8Array, data: Uint8Array | string, digest: VerifierDigest): string {
  const encoded = toBase64(utf8(data));
  return `${encoded}--${hmacHex(key, encoded, digest)}`;
}

/**
 * Checks a signed message and gives back its data. The HMAC covers the base64 text exactly as
 * stored (standard, or URL-safe as newer Rails writes), so that text is what is hashed.
 */
export function verifyMessage(key: Uint8Array, signed: string, digest: VerifierDigest): Uint8Array {
  const s = signed.trim();
  const at = s.lastIndexOf('--');
  if (at <= 0 || at + 2 >= s.length) throw new LifeboatError('INVALID_DATA', 'value is not a Rails signed message (expected "data--digest")');
  const data = s.slice(0, at);
  const mac = s.slice(at + 2);
  if (mac.length !== HEX_LENGTH[digest]) {
    throw new LifeboatError('INVALID_DATA', `value is not a Rails signed message (digest of ${mac.length} characters, expected ${HEX_LENGTH[digest]})`);
  }
  const given = fromHex(mac, 'the digest part');
  const decoded = fromBase64Lenient(data, 'the data part');
  const expected = Buffer.from(hmacHex(key, data, digest), 'hex');
  if (!timingSafeEqual(given, expected)) {
    throw new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', 'signed message does not verify with this key (wrong key or damaged value)');
  }
  return decoded;
}
