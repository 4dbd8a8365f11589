import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decryptCbcHmac, decryptGcm, encryptGcm } from './message-encryptor.js';
import { generateKey } from './key-generator.js';
import { marshalString } from './ruby-marshal.js';
import { throwsCode } from '../../repo/repo-fixtures.test-util.js';

/**
 * Rails' own test vectors (rails/rails v7.2.3, key_generator_test.rb and message_encryptor_test.rb),
 * as gathered in the team's shared testdata/rails-vectors.json. Kept here too so the test runs
 * without the shared folder; when that file is present it must agree with these.
 */
const V = {
  rails_keygen: {
    password: '0000000000000000000000000000000000000000000000000000000000000000',
    salt: 'some_salt',
    sha1_65536_64: 'b129376f68f1ecae788d7433310249d65ceec090ecacd4c872a3a9e9ec78e055739be5cc6956345d5ae38e7e1daa66f1de587dc8da2bf9e8b965af4b3918a122',
    sha256_65536_64: 'c92322ad55ee691520e8e0f279b53e7a5cc9c1f8efca98295ae252b04cc6e2274c3aaf75ef53b260a6dc548f3e5fbb8af0edf10e7663cf7054c35bcc12835fc0',
  },
  rails_gcm: {
    key_hex: 'b7f0bc57b11860abf08110a424f434eca1dcc1dd44afa9b814cd189a99208029',
    message: '9cVnFs2O3lL9SPvIJuxBOLS51nDiBMw=--YNI5HAfHEmZ7VDpl--ddFJ6tXA0iH+XGcCgMINYQ==',
    plaintext_marshal_hex: '040849221252756279206f6e205261696c73063a064554',
    value: 'Ruby on Rails',
  },
  rails_cbc_hmac: {
    secret_hex_64B: '3942b1bf81e622559ed509e3ff274a780784fe9e75b065866bd270438c74da822219de3156473cc27df1fd590e4baf68c95eeb537b6e4d4c5a10f41635b5597e',
    message:
      'eHdGeExnZEwvMSt3U3dKaFl1WFo0TjVvYzA0eGpjbm5WSkt5MXlsNzhpZ0ZnbWhBWFlQZTRwaXE1bVJCS2oxMDZhYVp2dVN3V0lNZUlWQ3c2eVhQbnhnVjFmeVVubmhRKzF3WnZyWHVNMDg9LS1HSisyakJVSFlPb05ISzRMaXRzcFdBPT0=--831a1d54a3cda8a0658dc668a03dedcbce13b5ca',
  },
};
// shared/ sits beside the checkout (CI lays it there too); tests run from the checkout's root.
const SHARED = resolve(process.cwd(), '..', 'shared', 'testdata', 'rails-vectors.json');
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('the embedded vectors are the shared ones', { skip: !existsSync(SHARED) }, () => {
  const shared = JSON.parse(readFileSync(SHARED, 'utf8')) as Record<string, Record<string, string>>;
  for (const [group, fields] of Object.entries(V)) {
    for (const [name, value] of Object.entries(fields)) assert.equal(shared[group]?.[name], value, `${group}.${name}`);
  }
});

test('KeyGenerator reproduces Rails: PBKDF2 65536 iterations, 64 bytes, SHA-1 and SHA-256', () => {
  const k = V.rails_keygen;
  assert.equal(toHex(generateKey(k.password, k.salt, 65536, 64, 'sha1')), k.sha1_65536_64);
  assert.equal(toHex(generateKey(k.password, k.salt, 65536, 64, 'sha256')), k.sha256_65536_64);
  // A shorter key is the prefix of the longer one (PBKDF2's first block), as Rails' cache relies on.
  assert.equal(toHex(generateKey(k.password, k.salt, 65536, 32, 'sha256')), k.sha256_65536_64.slice(0, 64));
});

test('MessageEncryptor AES-256-GCM opens Rails\' message to its Marshal bytes', () => {
  const g = V.rails_gcm;
  const plain = decryptGcm(hex(g.key_hex), g.message);
  assert.equal(toHex(plain), g.plaintext_marshal_hex);
  assert.equal(toHex(marshalString(g.value)), g.plaintext_marshal_hex);
});

test('re-encrypting with the same IV gives Rails\' message byte for byte', () => {
  const g = V.rails_gcm;
  const iv = Buffer.from(g.message.split('--')[1]!, 'base64');
  assert.equal(encryptGcm(hex(g.key_hex), hex(g.plaintext_marshal_hex), iv), g.message);
});

test('legacy MessageEncryptor AES-256-CBC + HMAC-SHA1 opens Rails\' message (first 32 bytes encrypt, all 64 sign)', () => {
  const c = V.rails_cbc_hmac;
  const secret = hex(c.secret_hex_64B);
  const plain = decryptCbcHmac({ encrypt: secret.subarray(0, 32), sign: secret, digest: 'sha1' }, c.message);
  assert.ok(plain.length > 0);
  // The wrong signing key fails on the HMAC, before any decryption.
  throwsCode(() => decryptCbcHmac({ encrypt: secret.subarray(0, 32), sign: secret.subarray(0, 32), digest: 'sha1' }, c.message), 'CIPHERTEXT_VERIFICATION_FAILED');
});

test('a wrong GCM key is CIPHERTEXT_VERIFICATION_FAILED', () => {
  const g = V.rails_gcm;
  const wrong = hex(g.key_hex);
  wrong[0] = wrong[0]! ^ 1;
  const e = throwsCode(() => decryptGcm(wrong, g.message), 'CIPHERTEXT_VERIFICATION_FAILED');
  assert.doesNotMatch(e.message, /Ruby|Rails on/);
});
