import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbDamage, damage } from '../lib/damage.test-util.js';
import type { SecretsSpec } from '../sources/index.js';
import { discoverApp } from './discover-app.js';
import { credentialsSecretKeyBase, decryptRailsMessage } from './rails-credentials.js';

/** Ruby's Marshal.dump of a UTF-8 string, for the test side of the round trip. */
function marshalString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  let len: Buffer;
  if (b.length === 0) len = Buffer.of(0);
  else if (b.length < 123) len = Buffer.of(b.length + 5);
  else if (b.length < 256) len = Buffer.of(1, b.length);
  else if (b.length < 65536) len = Buffer.of(2, b.length & 0xff, b.length >> 8);
  else len = Buffer.of(3, b.length & 0xff, (b.length >> 8) & 0xff, b.length >> 16);
  return Buffer.concat([Buffer.of(4, 8, 0x49, 0x22), len, b, Buffer.of(6, 0x3a, 6, 0x45, 0x54)]);
}

function encrypt(plain: Buffer, keyHex: string): string {
  const key = Buffer.from(keyHex, 'hex');
  const iv = randomBytes(12);
  const c = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return `${ct.toString('base64')}--${iv.toString('base64')}--${c.getAuthTag().toString('base64')}`;
}

/** rails_gcm of the team's shared testdata/rails-vectors.json (a public vector of Rails' own tests). */
const RAILS_GCM = { key: 'b7f0bc57b11860abf08110a424f434eca1dcc1dd44afa9b814cd189a99208029', message: '9cVnFs2O3lL9SPvIJuxBOLS51nDiBMw=--YNI5HAfHEmZ7VDpl--ddFJ6tXA0iH+XGcCgMINYQ==', value: 'Ruby on Rails' };

test("Rails' own MessageEncryptor GCM vector decrypts", () => {
  assert.equal(decryptRailsMessage(RAILS_GCM.message, RAILS_GCM.key), RAILS_GCM.value);
  assert.equal(decryptRailsMessage(RAILS_GCM.message, 'ff'.repeat(32)), undefined, 'a wrong key gives nothing');
});

test('property: credentials written with a master key give back their secret_key_base; damage gives undefined or the value', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 300 }).filter((s) => !/[\n\r"\\]/.test(s) && s.trim() === s), fc.string({ maxLength: 400 }), (skb, filler) => {
      const key = randomBytes(16).toString('hex');
      const yaml = `# ${JSON.stringify(filler)}\nsecret_key_base: ${JSON.stringify(skb)}\naws:\n  access_key_id: x\n`;
      const enc = encrypt(marshalString(yaml), key);
      assert.equal(credentialsSecretKeyBase(enc, key), skb);
      assert.equal(credentialsSecretKeyBase(enc, randomBytes(16).toString('hex')), undefined);
    }),
    { numRuns: 100 },
  );
  const key = randomBytes(16).toString('hex');
  const enc = new TextEncoder().encode(encrypt(marshalString('secret_key_base: abc\n'), key));
  fc.assert(fc.property(arbDamage, (edits) => {
    const v = credentialsSecretKeyBase(Buffer.from(damage(enc, edits)).toString('latin1'), key);
    assert.ok(v === undefined || v === 'abc');
  }), { numRuns: 300 });
});

test('decidim: SECRET_KEY_BASE from the encrypted credentials when neither the environment nor .env has it', () => {
  const root = mkdtempSync(join(tmpdir(), 'lb-apps-cred-'));
  try {
    mkdirSync(join(root, 'config'));
    const key = randomBytes(16).toString('hex');
    writeFileSync(join(root, 'config/master.key'), `${key}\n`);
    writeFileSync(join(root, 'config/credentials.yml.enc'), encrypt(marshalString('secret_key_base: from-credentials-0123\n'), key));
    const s = discoverApp('decidim', { root, env: {} }).sources.find((x): x is SecretsSpec => x.kind === 'secrets')!;
    assert.deepEqual(s.known, [{ name: 'SECRET_KEY_BASE', value: 'from-credentials-0123', source: `${root}/config/credentials.yml.enc#secret_key_base` }]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
