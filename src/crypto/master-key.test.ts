import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { decodeMasterKeyJson, encodeMasterKeyJson, newMasterKey, type MasterKey } from './master-key.js';
import { clampPoly1305R } from './poly1305-aes.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const masterKeyArb = fc
  .record({ encrypt: bytes(32), macK: bytes(16), macR: bytes(16) })
  .map((k): MasterKey => ({ ...k, macR: clampPoly1305R(k.macR) }));

test('the example master key JSON from a real restic repository round-trips byte for byte', () => {
  const json = '{"mac":{"k":"xmnJXDmRW7msf4YByrOakA==","r":"G0XcAyz1ygLMWNkKOP7sDg=="},"encrypt":"QZJTQiT2c3n2iet1LGR3Qrv8vPa11FmcLG+fSXbasrM="}';
  const k = decodeMasterKeyJson(enc(json));
  assert.equal(k.encrypt.length, 32);
  assert.deepEqual(encodeMasterKeyJson(k), enc(json));
});

test('encode/decode round-trip, always 128 bytes in restic\'s field order', () => {
  fc.assert(
    fc.property(masterKeyArb, (k) => {
      const json = encodeMasterKeyJson(k);
      assert.equal(json.length, 128);
      assert.match(new TextDecoder().decode(json), /^\{"mac":\{"k":"[^"]{24}","r":"[^"]{24}"\},"encrypt":"[^"]{44}"\}$/);
      assert.deepEqual(decodeMasterKeyJson(json), k);
    }),
  );
});

test('newMasterKey gives distinct random keys with r clamped', () => {
  const a = newMasterKey();
  const b = newMasterKey();
  assert.equal(a.encrypt.length, 32);
  assert.equal(a.macK.length, 16);
  assert.deepEqual(a.macR, clampPoly1305R(a.macR));
  assert.notDeepEqual(a.encrypt, b.encrypt);
  assert.deepEqual(decodeMasterKeyJson(encodeMasterKeyJson(a)), a);
});

test('decoding clamps an unclamped r, as restic does on use', () => {
  const k = newMasterKey();
  const raw = new Uint8Array(16).fill(0xff);
  const json = `{"mac":{"k":"${b64(k.macK)}","r":"${b64(raw)}"},"encrypt":"${b64(k.encrypt)}"}`;
  assert.deepEqual(decodeMasterKeyJson(enc(json)).macR, clampPoly1305R(raw));
});

test('garbage and wrong lengths are INVALID_DATA, and errors never quote the key', () => {
  const k = newMasterKey();
  const good = new TextDecoder().decode(encodeMasterKeyJson(k));
  const secrets = [b64(k.encrypt), b64(k.macK), b64(k.macR), b64(k.encrypt).slice(0, 12), b64(k.macK).slice(0, 12)];
  const bad = [
    '',
    'null',
    '[]',
    '{}',
    '{"mac":null,"encrypt":"AA=="}',
    `{"mac":{"k":"${b64(k.macK)}","r":"${b64(k.macR)}"}}`,
    `{"mac":{"k":"${b64(k.macK)}","r":"${b64(k.macR)}"},"encrypt":"${b64(k.encrypt.subarray(0, 31))}"}`,
    `{"mac":{"k":"${b64(k.macK)}AAAA","r":"${b64(k.macR)}"},"encrypt":"${b64(k.encrypt)}"}`,
    `{"mac":{"k":"${b64(k.macK)}","r":17},"encrypt":"${b64(k.encrypt)}"}`,
    good.replace('=', '!'),
    ...Array.from({ length: good.length }, (_, i) => good.slice(0, i)),
  ];
  for (const s of bad) {
    assert.throws(
      () => decodeMasterKeyJson(enc(s)),
      (e: unknown) => {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
        const all = `${e.message} ${String(e.cause ?? '')} ${JSON.stringify(e.data)}`;
        for (const secret of secrets) assert.ok(!all.includes(secret), 'error message leaks key material');
        return true;
      },
    );
  }
});

test('random bytes never crash the decoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      try {
        decodeMasterKeyJson(b);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
      }
    }),
  );
});

test('encoding rejects keys of the wrong size', () => {
  const k = newMasterKey();
  assert.throws(() => encodeMasterKeyJson({ ...k, encrypt: new Uint8Array(31) }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => encodeMasterKeyJson({ ...k, macR: new Uint8Array(17) }), { code: 'INVALID_ARGUMENT' });
});
