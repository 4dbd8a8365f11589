import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeRepoConfig, encodeRepoConfig, newRepoConfig, type RepoConfig } from './config.js';
import { isIrreducible, polynomialDegree, randomPolynomial } from './polynomial.js';
import { arbDamage, damage, onlyThrowsCodes, throwsCode } from './repo-fixtures.test-util.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A deterministic byte source for randomPolynomial, so fast-check can shrink and replay. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) out.set(createHash('sha256').update(`${seed}/${counter++}`).digest().subarray(0, Math.min(32, n - i)), i);
    return out;
  };
}

const arbConfig: fc.Arbitrary<RepoConfig> = fc.record({
  version: fc.constantFrom(1 as const, 2 as const),
  id: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  chunkerPolynomial: fc.oneof(
    fc.constantFrom(0x3da3358b4dc173n, 0x2fad9a6003d2f1n, 0x2ffbd168f93521n, 0x3beff14883c067n),
    fc.integer().map((seed) => randomPolynomial(seededBytes(seed))),
  ),
}).map((c) => ({ ...c }));

// The real config of the format notes (§4).
const REAL = '{"version":2,"id":"9340859e0840919bd61c0a78af63b350274bb7cf7f52a2e2b603a986c6c60fb2","chunker_polynomial":"2fad9a6003d2f1"}';

describe('repository config', () => {
  test('round trip (fast-check)', () => {
    fc.assert(
      fc.property(arbConfig, (c) => {
        assert.deepEqual(decodeRepoConfig(encodeRepoConfig(c)), c);
      }),
      { numRuns: 50 },
    );
  });

  test('the real restic config (§4) decodes and re-encodes byte for byte: raw JSON, no newline', () => {
    const c = decodeRepoConfig(enc(REAL));
    assert.deepEqual(c, { version: 2, id: '9340859e0840919bd61c0a78af63b350274bb7cf7f52a2e2b603a986c6c60fb2', chunkerPolynomial: 0x2fad9a6003d2f1n });
    assert.equal(dec(encodeRepoConfig(c)), REAL);
  });

  test('newRepoConfig: version 2, 32 random bytes of ID, an irreducible degree-53 polynomial', () => {
    const a = newRepoConfig();
    const b = newRepoConfig();
    assert.equal(a.version, 2);
    assert.match(a.id, /^[0-9a-f]{64}$/);
    assert.notEqual(a.id, b.id);
    assert.equal(polynomialDegree(a.chunkerPolynomial), 53);
    assert.ok(isIrreducible(a.chunkerPolynomial));
    assert.deepEqual(decodeRepoConfig(encodeRepoConfig(a)), a);
  });

  test('upper-case and zero-padded polynomial hex is accepted (restic reads it)', () => {
    assert.equal(decodeRepoConfig(enc('{"version":1,"id":"x","chunker_polynomial":"002FAD9A6003D2F1"}')).chunkerPolynomial, 0x2fad9a6003d2f1n);
  });

  test('version 3 (and 0) → REPO_UNSUPPORTED', () => {
    for (const v of [0, 3, 99]) {
      throwsCode(() => decodeRepoConfig(enc(`{"version":${v},"id":"x","chunker_polynomial":"2fad9a6003d2f1"}`)), 'REPO_UNSUPPORTED');
    }
  });

  const badPolys: [string, string][] = [
    ['reducible (divisible by x)', '"3da3358b4dc172"'],
    ['reducible (x^53 + 1 = (x+1)·…)', '"20000000000001"'],
    ['degree above 53', '"ffffffffffffffff"'],
    ['more than 64 bits', '"1ffffffffffffffff"'],
    ['0x prefix', '"0x2fad9a6003d2f1"'],
    ['not hex', '"zz"'],
    ['empty', '""'],
    ['a number', '12345'],
    ['missing', 'undefined'],
  ];
  for (const [name, value] of badPolys) {
    test(`bad polynomial: ${name} → INVALID_DATA`, () => {
      const json = value === 'undefined' ? '{"version":2,"id":"x"}' : `{"version":2,"id":"x","chunker_polynomial":${value}}`;
      throwsCode(() => decodeRepoConfig(enc(json)), 'INVALID_DATA');
    });
  }

  const garbage: [string, Uint8Array][] = [
    ['empty', enc('')],
    ['not JSON', enc('config')],
    ['null', enc('null')],
    ['an array', enc('[2]')],
    ['version as string', enc('{"version":"2","id":"x","chunker_polynomial":"2fad9a6003d2f1"}')],
    ['version negative', enc('{"version":-1,"id":"x","chunker_polynomial":"2fad9a6003d2f1"}')],
    ['version fractional', enc('{"version":1.5,"id":"x","chunker_polynomial":"2fad9a6003d2f1"}')],
    ['version missing', enc('{"id":"x","chunker_polynomial":"2fad9a6003d2f1"}')],
    ['id missing', enc('{"version":2,"chunker_polynomial":"2fad9a6003d2f1"}')],
    ['id a number', enc('{"version":2,"id":7,"chunker_polynomial":"2fad9a6003d2f1"}')],
    // what a v2 unpacked file looks like: restic fails on the 0x02 too (§2.3)
    ['compressed like an unpacked file', Uint8Array.from([2, 0x28, 0xb5, 0x2f, 0xfd])],
  ];
  for (const [name, bytes] of garbage) {
    test(`garbage: ${name} → INVALID_DATA`, () => {
      throwsCode(() => decodeRepoConfig(bytes), 'INVALID_DATA');
    });
  }

  test('every truncation of a valid config is INVALID_DATA', () => {
    const bytes = enc(REAL);
    for (let n = 0; n < bytes.length; n++) throwsCode(() => decodeRepoConfig(bytes.subarray(0, n)), 'INVALID_DATA');
  });

  test('damaged configs decode or fail with INVALID_DATA / REPO_UNSUPPORTED, never another exception', () => {
    fc.assert(
      fc.property(arbDamage, (edits) => {
        onlyThrowsCodes(() => decodeRepoConfig(damage(enc(REAL), edits)), ['INVALID_DATA', 'REPO_UNSUPPORTED']);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        onlyThrowsCodes(() => decodeRepoConfig(bytes), ['INVALID_DATA', 'REPO_UNSUPPORTED']);
      }),
      { numRuns: 300 },
    );
  });
});
