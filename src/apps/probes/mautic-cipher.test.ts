import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { arbDamage, damage } from '../../lib/damage.test-util.js';
import { onlyThrowsCodes, throwsCode } from '../../repo/repo-fixtures.test-util.js';
import { mauticDecrypt, mauticEncrypt, mauticKey } from './mautic-cipher.js';

/**
 * An independent encoder written from the description in app-keys.md only (not from
 * mautic-cipher.ts): key = hex-decoded secret_key; plaintext = data . hex HMAC-SHA256(data)
 * keyed with the last 32 hex characters of secret_key; AES-256-CBC, PKCS#7;
 * stored = base64(base64(ct)) . '|' . base64(iv).
 */
function referenceEncrypt(secretKey: string, data: string): string {
  const key = Buffer.from(secretKey, 'hex');
  const mac = createHmac('sha256', secretKey.toLowerCase().slice(-32)).update(data, 'utf8').digest('hex');
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', key, iv);
  const ct = Buffer.concat([c.update(data + mac, 'utf8'), c.final()]);
  return Buffer.from(ct.toString('base64'), 'utf8').toString('base64') + '|' + iv.toString('base64');
}

function referenceDecrypt(secretKey: string, stored: string): string | false {
  const [a, b] = stored.split('|');
  const ct = Buffer.from(Buffer.from(a!, 'base64').toString('utf8'), 'base64');
  const d = createDecipheriv('aes-256-cbc', Buffer.from(secretKey, 'hex'), Buffer.from(b!, 'base64'));
  const plain = Buffer.concat([d.update(ct), d.final()]).toString('utf8');
  const data = plain.slice(0, -64);
  const mac = createHmac('sha256', secretKey.toLowerCase().slice(-32)).update(data, 'utf8').digest('hex');
  return mac === plain.slice(-64) ? data : false;
}

const phpString = (s: string): string => `s:${Buffer.byteLength(s)}:"${s}";`;
const arbSecret = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

test('values written by the reference encoder open, and ours open with the reference decoder', () => {
  fc.assert(
    fc.property(arbSecret, fc.string({ maxLength: 120 }), fc.boolean(), (secret, s, upper) => {
      const written = upper ? secret.toUpperCase() : secret;
      const data = phpString(s);
      const key = mauticKey(written);
      assert.equal(new TextDecoder().decode(mauticDecrypt(key, referenceEncrypt(secret, data))), data);
      assert.equal(referenceDecrypt(secret, mauticEncrypt(key, data)), data);
    }),
  );
});

test('another secret_key is refused (where Mautic would silently answer false)', () => {
  fc.assert(
    fc.property(arbSecret, arbSecret, (a, b) => {
      fc.pre(a !== b);
      throwsCode(() => mauticDecrypt(mauticKey(b), referenceEncrypt(a, phpString('api-key'))), 'CIPHERTEXT_VERIFICATION_FAILED');
    }),
    { numRuns: 50 },
  );
});

test('a secret_key that is not 64 hex characters is refused without quoting it', () => {
  for (const bad of ['', 'abc', 'g'.repeat(64), 'a'.repeat(63)]) {
    const e = throwsCode(() => mauticKey(bad), 'INVALID_ARGUMENT');
    if (bad.length > 3) assert.ok(!e.message.includes(bad));
  }
});

test('damaged and truncated values give a clean error, never a wrong answer', () => {
  fc.assert(
    fc.property(arbSecret, fc.string({ maxLength: 60 }), arbDamage, (secret, s, edits) => {
      const key = mauticKey(secret);
      const good = mauticEncrypt(key, phpString(s));
      const bad = new TextDecoder().decode(damage(new TextEncoder().encode(good), edits));
      const r = onlyThrowsCodes(() => mauticDecrypt(key, bad), ['INVALID_DATA', 'CIPHERTEXT_VERIFICATION_FAILED']);
      if (r instanceof Uint8Array) assert.equal(new TextDecoder().decode(r), phpString(s));
    }),
  );
  const key = mauticKey('ab'.repeat(32));
  const good = mauticEncrypt(key, phpString('x'));
  for (let n = 0; n < good.length; n++) onlyThrowsCodes(() => mauticDecrypt(key, good.slice(0, n)), ['INVALID_DATA', 'CIPHERTEXT_VERIFICATION_FAILED']);
});
