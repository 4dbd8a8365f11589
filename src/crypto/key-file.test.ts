import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { createKeyFile, encodeKeyFile, openKeyFile, parseKeyFile, type KeyFileInfo } from './key-file.js';
import { encodeMasterKeyJson, newMasterKey } from './master-key.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const SMALL = { N: 1024, r: 8, p: 1 };
const TINY = { N: 16, r: 1, p: 1 }; // only for property runs that derive keys many times

// A key file written by restic 0.14 (restic-format.md §3.1), password "restic-test".
const RESTIC_KEY_FILE =
  '{"created":"2026-11-24T15:51:34.134311984Z","username":"root","hostname":"vm","kdf":"scrypt","N":32768,"r":8,"p":6,' +
  '"salt":"roBSzKC/JGystc2N7//2vpvm2jYzNaTVMppKvjIQBu2BKc6s4y32FlR7AxaO930aCHQWwBU3NZTKHPKoJeoXIg==",' +
  '"data":"Ap+tRtp5vluzV1gGE4jOWvm80MVwMQoE1Dwj6YUdIdDP268UvMlgQa3VOt0ZC4Yv256mZa6nUQVYXQGinUJ4QIPgF0sBYjtzNpa2lhZpk2epc+cACMuRJWY720HBRieHzePAKmb9X47cF39FDPaomKmr94b87+TofGSUEVeO2UKDV34XaWrcT8fAUInjhlKQSBLD2vJyppRE08DjFR5weg=="}';
const RESTIC_MASTER_KEY_JSON =
  '{"mac":{"k":"xmnJXDmRW7msf4YByrOakA==","r":"G0XcAyz1ygLMWNkKOP7sDg=="},"encrypt":"QZJTQiT2c3n2iet1LGR3Qrv8vPa11FmcLG+fSXbasrM="}';

function assertInvalidData(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isLifeboatError(e, 'INVALID_DATA'), `expected INVALID_DATA, got ${String(e)}`);
    return true;
  });
}

test('parses a restic key file and re-encodes it byte for byte', () => {
  const info = parseKeyFile(enc(RESTIC_KEY_FILE));
  assert.equal(info.created, '2026-11-24T15:51:34.134311984Z');
  assert.equal(info.username, 'root');
  assert.deepEqual(info.params, { N: 32768, r: 8, p: 6 });
  assert.equal(info.salt.length, 64);
  assert.equal(info.data.length, 160);
  assert.equal(dec(encodeKeyFile(info)), RESTIC_KEY_FILE);
});

test('opens the restic key file with its password, and refuses a wrong one', async () => {
  const key = await openKeyFile(enc(RESTIC_KEY_FILE), enc('restic-test'));
  assert.equal(dec(encodeMasterKeyJson(key)), RESTIC_MASTER_KEY_JSON);
});

test('createKeyFile → openKeyFile round trip; wrong password fails without leaking it', async () => {
  const masterKey = newMasterKey();
  const password = 'pässwörd 🔑 hunter2';
  const bytes = await createKeyFile({
    password: enc(password),
    masterKey,
    params: SMALL,
    created: '2026-11-24T15:51:34.134311984+01:00',
    username: 'ops',
    hostname: 'backup-1',
  });
  const s = dec(bytes);
  assert.match(s, /^\{"created":"2026-11-24T15:51:34.134311984\+01:00","username":"ops","hostname":"backup-1","kdf":"scrypt","N":1024,"r":8,"p":1,"salt":"[A-Za-z0-9+/]{86}==","data":"[A-Za-z0-9+/=]{216}"\}$/);
  assert.deepEqual(await openKeyFile(bytes, enc(password)), masterKey);
  await assert.rejects(openKeyFile(bytes, enc('hunter2')), (e: unknown) => {
    assert.ok(isLifeboatError(e, 'CIPHERTEXT_VERIFICATION_FAILED'));
    assert.ok(!e.message.includes('hunter2') && !e.message.includes(password));
    return true;
  });
  const again = await createKeyFile({ password: enc(password), masterKey, params: SMALL, created: '2026-11-24T15:51:34Z', username: '', hostname: '' });
  assert.notDeepEqual(parseKeyFile(again).salt, parseKeyFile(bytes).salt, 'fresh salt each time');
});

const infoArb = fc.record({
  created: fc
    .record({ ms: fc.integer({ min: 0, max: 4102444800000 }), nanos: fc.option(fc.integer({ min: 0, max: 999999999 })) })
    .map(({ ms, nanos }) => new Date(ms).toISOString().replace(/\.\d+Z$/, nanos === null ? 'Z' : `.${String(nanos).padStart(9, '0')}Z`)),
  username: fc.string({ unit: 'binary', maxLength: 30 }),
  hostname: fc.string({ unit: 'binary', maxLength: 30 }),
  kdf: fc.constant('scrypt' as const),
  params: fc.record({ N: fc.integer({ min: 1, max: 20 }).map((e) => 2 ** e), r: fc.integer({ min: 1, max: 16 }), p: fc.integer({ min: 1, max: 16 }) }),
  salt: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  data: fc.uint8Array({ minLength: 32, maxLength: 200 }),
});

test('encodeKeyFile / parseKeyFile round trip, including strings Go escapes', () => {
  fc.assert(
    fc.property(infoArb, (info: KeyFileInfo) => {
      const bytes = encodeKeyFile(info);
      // fast-check's records have a null prototype, which deepEqual would count as a difference.
      assert.deepEqual(parseKeyFile(bytes), { ...info, params: { ...info.params } });
      assert.ok(!dec(bytes).endsWith('\n'));
    }),
    { numRuns: 300 },
  );
  const escaped = dec(encodeKeyFile({ ...parseKeyFile(enc(RESTIC_KEY_FILE)), username: 'a<b>&"\\\n\t\x01\u2028' }));
  assert.ok(escaped.includes('"username":"a\\u003cb\\u003e\\u0026\\"\\\\\\n\\t\\u0001\\u2028"'), escaped);
});

test('createKeyFile / openKeyFile round trip on random keys and passwords', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 20 }), async (password, username) => {
      const masterKey = newMasterKey();
      const bytes = await createKeyFile({ password, masterKey, params: TINY, created: '2026-01-01T00:00:00Z', username, hostname: 'h' });
      assert.deepEqual(await openKeyFile(bytes, password), masterKey);
      assert.equal(parseKeyFile(bytes).username, username);
    }),
    { numRuns: 30 },
  );
});

test('truncated key files are INVALID_DATA', () => {
  const b = enc(RESTIC_KEY_FILE);
  for (let i = 0; i < b.length; i++) assertInvalidData(() => parseKeyFile(b.subarray(0, i)));
});

test('specific corruptions give INVALID_DATA', () => {
  const base = JSON.parse(RESTIC_KEY_FILE) as Record<string, unknown>;
  const variants: Record<string, unknown>[] = [
    { ...base, kdf: 'argon2' },
    { ...base, kdf: undefined },
    { ...base, N: 1000 },
    { ...base, N: '32768' },
    { ...base, r: 0 },
    { ...base, p: 1.5 },
    { ...base, salt: Buffer.alloc(32).toString('base64') },
    { ...base, salt: 'not base64!' },
    { ...base, salt: 12 },
    { ...base, data: Buffer.alloc(31).toString('base64') },
    { ...base, data: undefined },
    { ...base, created: 'yesterday' },
    { ...base, username: 42 },
  ];
  for (const v of variants) assertInvalidData(() => parseKeyFile(enc(JSON.stringify(v))));
  for (const s of ['', 'null', '[]', '"x"', '{', '\u0000', RESTIC_KEY_FILE + 'x']) assertInvalidData(() => parseKeyFile(enc(s)));
  // Go leaves missing strings empty, so restic loads such files; so do we.
  const loose = parseKeyFile(enc(JSON.stringify({ ...base, username: undefined, hostname: null, created: undefined })));
  assert.equal(loose.username, '');
  assert.equal(loose.created, '0001-01-01T00:00:00Z');
});

test('randomly damaged key files fail cleanly: INVALID_DATA or CIPHERTEXT_VERIFICATION_FAILED', async () => {
  const masterKey = newMasterKey();
  const password = enc('pw');
  const good = await createKeyFile({ password, masterKey, params: TINY, created: '2026-01-01T00:00:00Z', username: 'u', hostname: 'h' });
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), async (at, value, truncate) => {
      const bad = truncate ? good.subarray(0, at % good.length) : Uint8Array.from(good);
      if (!truncate) bad[at % bad.length] = value;
      try {
        const k = await openKeyFile(bad, password);
        // Only harmless edits (a metadata string) may still open, and then to the same key.
        assert.deepEqual(k, masterKey);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA') || isLifeboatError(e, 'CIPHERTEXT_VERIFICATION_FAILED'), String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('createKeyFile validates its inputs', async () => {
  const base = { password: enc('x'), masterKey: newMasterKey(), params: SMALL, created: '2026-01-01T00:00:00Z', username: 'u', hostname: 'h' };
  await assert.rejects(createKeyFile({ ...base, created: '2026-01-01 00:00:00' }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(createKeyFile({ ...base, params: { N: 1000, r: 8, p: 1 } }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(createKeyFile({ ...base, masterKey: { ...base.masterKey, encrypt: new Uint8Array(8) } }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(createKeyFile({ ...base, password: 'x' as unknown as Uint8Array }), { code: 'INVALID_ARGUMENT' });
});
