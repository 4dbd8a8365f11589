import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import fc from 'fast-check';
import { calibrateScrypt, deriveUserKey, SCRYPT_MAX_MEMORY, validateScryptParams } from './kdf.js';
import { clampPoly1305R } from './poly1305-aes.js';

const SMALL = { N: 1024, r: 8, p: 1 };
const salt64 = new Uint8Array(64).map((_, i) => i);
const pw = new TextEncoder().encode('correct horse');

test('deriveUserKey splits scrypt output as restic does: encrypt, mac.k, clamped mac.r', async () => {
  const out = scryptSync(pw, salt64, 64, SMALL);
  const k = await deriveUserKey(pw, salt64, SMALL);
  assert.deepEqual(k.encrypt, new Uint8Array(out.subarray(0, 32)));
  assert.deepEqual(k.macK, new Uint8Array(out.subarray(32, 48)));
  assert.deepEqual(k.macR, clampPoly1305R(out.subarray(48, 64)));
});

test('the password and the salt both matter', async () => {
  const a = await deriveUserKey(pw, salt64, SMALL);
  const b = await deriveUserKey(new TextEncoder().encode('correct horsf'), salt64, SMALL);
  const c = await deriveUserKey(pw, salt64.map((x) => x ^ 1), SMALL);
  assert.notDeepEqual(a.encrypt, b.encrypt);
  assert.notDeepEqual(a.encrypt, c.encrypt);
});

test('validateScryptParams accepts what restic accepts', () => {
  for (const p of [{ N: 2, r: 1, p: 1 }, { N: 1024, r: 1, p: 1 }, { N: 16384, r: 8, p: 1 }, { N: 32768, r: 8, p: 6 }, { N: 2 ** 20, r: 1, p: 2 ** 30 - 1 }]) {
    validateScryptParams(p);
  }
  validateScryptParams(SMALL, salt64);
});

test('validateScryptParams rejects bad parameters and salts with INVALID_ARGUMENT', () => {
  const bad = [
    { N: 0, r: 8, p: 1 },
    { N: 1, r: 8, p: 1 },
    { N: 3, r: 8, p: 1 },
    { N: 1000, r: 8, p: 1 },
    { N: 1024.5, r: 8, p: 1 },
    { N: -1024, r: 8, p: 1 },
    { N: Number.NaN, r: 8, p: 1 },
    { N: 1024, r: 0, p: 1 },
    { N: 1024, r: 1.5, p: 1 },
    { N: 1024, r: 8, p: 0 },
    { N: 1024, r: 2 ** 15, p: 2 ** 15 },
  ];
  for (const p of bad) assert.throws(() => validateScryptParams(p), { name: 'LifeboatError', code: 'INVALID_ARGUMENT' }, JSON.stringify(p));
  for (const n of [0, 32, 63, 65]) {
    assert.throws(() => validateScryptParams(SMALL, new Uint8Array(n)), { code: 'INVALID_ARGUMENT' });
  }
});

test('any N that is not a power of two is rejected', () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e6, max: 1e9 }), (N) => {
      const pow2 = N > 1 && (N & (N - 1)) === 0;
      let ok = true;
      try {
        validateScryptParams({ N, r: 1, p: 1 });
      } catch {
        ok = false;
      }
      assert.equal(ok, pow2);
    }),
  );
});

test('deriveUserKey refuses a wrong salt and parameters needing too much memory', async () => {
  await assert.rejects(deriveUserKey(pw, new Uint8Array(32), SMALL), { code: 'INVALID_ARGUMENT' });
  const huge = { N: 2 ** 30, r: 8, p: 1 };
  assert.ok(128 * 8 * 2 ** 30 > SCRYPT_MAX_MEMORY);
  await assert.rejects(deriveUserKey(pw, salt64, huge), { code: 'INVALID_ARGUMENT' });
  // OpenSSL refuses N ≥ 2^(16·r); that surfaces as a LifeboatError too.
  await assert.rejects(deriveUserKey(pw, salt64, { N: 65536, r: 1, p: 1 }), { code: 'INVALID_ARGUMENT' });
});

test('calibrateScrypt returns valid parameters with r = 8 and N a power of two ≥ 1024', async () => {
  for (const target of [1, 20]) {
    const p = await calibrateScrypt(target);
    validateScryptParams(p);
    assert.equal(p.r, 8);
    assert.ok(p.N >= 1024 && Number.isInteger(Math.log2(p.N)), `N=${p.N}`);
    assert.ok(p.p >= 1);
  }
  await assert.rejects(calibrateScrypt(0), { code: 'INVALID_ARGUMENT' });
});
