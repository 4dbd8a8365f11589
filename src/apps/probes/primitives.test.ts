import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { arbDamage, damage } from '../../lib/damage.test-util.js';
import { onlyThrowsCodes, throwsCode } from '../../repo/repo-fixtures.test-util.js';
import { activeStorageKey, signBlobId, verifyBlobId } from './active-storage.js';
import { decidimDecrypt, decidimEncrypt, decidimKey } from './decidim-attribute.js';
import { generateKey } from './key-generator.js';
import { laravelDecrypt, laravelEncrypt, laravelKey } from './laravel-cipher.js';
import { decryptCbcHmac, decryptGcm, encryptCbcHmac, encryptGcm } from './message-encryptor.js';
import { signMessage, verifyMessage } from './message-verifier.js';
import { openCredentials, sealCredentials } from './rails-credentials.js';
import { marshalString } from './ruby-marshal.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const CODES = ['INVALID_DATA', 'CIPHERTEXT_VERIFICATION_FAILED'] as const;

/** Damaged text either fails with a clean code or (rarely: a flip in base64 padding bits) still opens to the same bytes. */
function damagedNeverLies(open: (s: string) => Uint8Array, good: string, plain: Uint8Array, edits: Parameters<typeof damage>[1]): void {
  const bad = text(damage(enc(good), edits));
  const r = onlyThrowsCodes(() => open(bad), [...CODES]);
  if (r instanceof Uint8Array) assert.deepEqual(Buffer.from(r), Buffer.from(plain));
}

test('GCM (256 and 128) round-trips; damage gives a clean error', () => {
  fc.assert(
    fc.property(fc.constantFrom(16, 32), bytes(0, 200), arbDamage, (klen, plain, edits) => {
      const key = randomBytes(klen);
      const m = encryptGcm(key, plain);
      assert.deepEqual(Buffer.from(decryptGcm(key, m)), Buffer.from(plain));
      damagedNeverLies((s) => decryptGcm(key, s), m, plain, edits);
    }),
  );
});

test('CBC + HMAC round-trips with SHA-1 and SHA-256; damage gives a clean error', () => {
  fc.assert(
    fc.property(fc.constantFrom('sha1', 'sha256' as const), bytes(0, 200), arbDamage, (digest, plain, edits) => {
      const keys = { encrypt: randomBytes(32), sign: randomBytes(64), digest };
      const m = encryptCbcHmac(keys, plain);
      assert.deepEqual(Buffer.from(decryptCbcHmac(keys, m)), Buffer.from(plain));
      damagedNeverLies((s) => decryptCbcHmac(keys, s), m, plain, edits);
    }),
  );
});

test('MessageVerifier round-trips, accepts URL-safe data and rejects another key', () => {
  fc.assert(
    fc.property(bytes(1, 100), arbDamage, (data, edits) => {
      const key = randomBytes(64);
      const s = signMessage(key, data, 'sha1');
      assert.deepEqual(Buffer.from(verifyMessage(key, s, 'sha1')), Buffer.from(data));
      throwsCode(() => verifyMessage(randomBytes(64), s, 'sha1'), 'CIPHERTEXT_VERIFICATION_FAILED');
      damagedNeverLies((x) => verifyMessage(key, x, 'sha1'), s, data, edits);
    }),
  );
  const key = randomBytes(32);
  const urlSafe = Buffer.from('{"a":"???>>>"}').toString('base64url');
  const mac = signMessage(key, 'x', 'sha256').split('--')[1]!.replace(/./g, '0');
  throwsCode(() => verifyMessage(key, `${urlSafe}--${mac}`, 'sha256'), 'CIPHERTEXT_VERIFICATION_FAILED');
});

test('Decidim: the attribute key takes the app secret as salt; GCM and legacy CBC values open', () => {
  const skb = randomBytes(64).toString('hex');
  const k256 = decidimKey(skb, 'sha256');
  assert.deepEqual(k256, generateKey('attribute', skb, 65536, 32, 'sha256'));
  assert.notDeepEqual(k256, generateKey(skb, 'attribute', 65536, 32, 'sha256'));
  for (const legacy of [false, true]) {
    const v = decidimEncrypt(k256, 'smtp-password', legacy);
    assert.equal(text(decidimDecrypt(k256, v)), 'smtp-password');
    throwsCode(() => decidimDecrypt(decidimKey(skb, 'sha1'), v), 'CIPHERTEXT_VERIFICATION_FAILED');
  }
});

test('Active Storage: a signed blob id verifies with its app secret, in a URL or alone', () => {
  const skb = randomBytes(64).toString('hex');
  for (const digest of ['sha1', 'sha256'] as const) {
    const id = signBlobId(activeStorageKey(skb, digest), 42);
    const url = `https://example.org/rails/active_storage/blobs/redirect/${id}/logo.png`;
    assert.match(text(verifyBlobId(activeStorageKey(skb, digest), url)), /"pur":"blob_id"/);
    assert.ok(verifyBlobId(activeStorageKey(skb, digest), id).length > 0);
    throwsCode(() => verifyBlobId(activeStorageKey(randomBytes(64).toString('hex'), digest), url), 'CIPHERTEXT_VERIFICATION_FAILED');
  }
});

test('Rails credentials: master.key (with its newline) opens credentials.yml.enc; a malformed key is refused without quoting it', () => {
  const master = `${randomBytes(16).toString('hex')}\n`;
  const sealed = sealCredentials(master, enc('secret_key_base: abc\n'));
  assert.equal(text(openCredentials(master, enc(sealed))), 'secret_key_base: abc\n');
  throwsCode(() => openCredentials(randomBytes(16).toString('hex'), sealed), 'CIPHERTEXT_VERIFICATION_FAILED');
  const e = throwsCode(() => openCredentials('zz-not-hex-zz', sealed), 'INVALID_ARGUMENT');
  assert.doesNotMatch(e.message, /zz-not-hex/);
});

test('Laravel: round-trips with 32- and 16-byte keys; the MAC refuses another key; damage is clean', () => {
  fc.assert(
    fc.property(fc.constantFrom(16, 32), fc.string({ maxLength: 80 }), arbDamage, (klen, s, edits) => {
      const key = laravelKey(`base64:${randomBytes(klen).toString('base64')}`);
      const v = laravelEncrypt(key, s);
      assert.equal(text(laravelDecrypt(key, v)), s);
      throwsCode(() => laravelDecrypt(laravelKey(`base64:${randomBytes(klen).toString('base64')}`), v), 'CIPHERTEXT_VERIFICATION_FAILED');
      damagedNeverLies((x) => laravelDecrypt(key, x), v, enc(s), edits);
    }),
  );
  throwsCode(() => laravelKey('base64:AAAA'), 'INVALID_ARGUMENT');
});

test('truncations of every format at every length give a clean error', () => {
  const gKey = randomBytes(32);
  const cbc = { encrypt: randomBytes(32), sign: randomBytes(32), digest: 'sha1' as const };
  const lKey = randomBytes(32);
  const cases: [string, (s: string) => unknown][] = [
    [encryptGcm(gKey, enc('x')), (s) => decryptGcm(gKey, s)],
    [encryptCbcHmac(cbc, enc('x')), (s) => decryptCbcHmac(cbc, s)],
    [laravelEncrypt(lKey, 's:1:"x";'), (s) => laravelDecrypt(lKey, s)],
  ];
  for (const [good, open] of cases) {
    for (let n = 0; n < good.length; n++) onlyThrowsCodes(() => open(good.slice(0, n)), [...CODES]);
  }
});

test('Rails credentials and Decidim values round-trip for any content', () => {
  const master = randomBytes(16).toString('hex');
  const key = decidimKey(randomBytes(64).toString('hex'), 'sha256');
  fc.assert(
    fc.property(bytes(0, 300), fc.boolean(), (content, legacy) => {
      assert.deepEqual(Buffer.from(openCredentials(master, sealCredentials(master, content))), Buffer.from(content));
      assert.deepEqual(Buffer.from(decidimDecrypt(key, decidimEncrypt(key, content, legacy))), Buffer.from(content));
    }),
    { numRuns: 50 },
  );
});

test('Ruby Marshal lengths: one byte to 122, then a counted little-endian form', () => {
  const hex = (s: string) => Buffer.from(marshalString(s)).toString('hex');
  assert.equal(hex(''), '0408492200063a064554');
  assert.equal(hex('a'.repeat(122)), `040849227f${'61'.repeat(122)}063a064554`);
  assert.equal(hex('a'.repeat(200)), `0408492201c8${'61'.repeat(200)}063a064554`);
  assert.equal(hex('a'.repeat(300)), `04084922022c01${'61'.repeat(300)}063a064554`);
  assert.equal(hex('é'), '0408492207c3a9063a064554');
});
