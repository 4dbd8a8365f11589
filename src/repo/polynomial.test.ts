import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import {
  formatPolynomial,
  isIrreducible,
  parsePolynomial,
  polynomialDegree,
  polynomialGcd,
  polynomialMod,
  polynomialMulMod,
  randomPolynomial,
} from './polynomial.js';

// Polynomials restic 0.14 wrote into real repositories (format notes §4, §10) and its test polynomial.
const RESTIC_POLYNOMIALS = ['3da3358b4dc173', '2fad9a6003d2f1', '2ffbd168f93521', '3beff14883c067', '38e8b43fb73a3f'];

/** Irreducible by trial division: no polynomial of degree 1 … deg/2 divides p. */
function irreducibleByTrialDivision(p: bigint): boolean {
  const deg = polynomialDegree(p);
  if (deg < 1) return false;
  for (let d = 2n; polynomialDegree(d) <= deg / 2; d++) if (polynomialMod(p, d) === 0n) return false;
  return true;
}

/** A replayable random source: hands out `bytes` in order, 8 at a time. */
function replay(bytes: number[]): { source: (n: number) => Uint8Array; used: () => number } {
  let pos = 0;
  return {
    source: (n) => {
      const out = Uint8Array.from(bytes.slice(pos, pos + n));
      pos += n;
      return out;
    },
    used: () => pos,
  };
}

const le64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

const expectInvalid = (hex: string): void =>
  assert.throws(() => parsePolynomial(hex), (e: unknown) => isLifeboatError(e, 'INVALID_DATA'), hex);

test('restic polynomials parse, are irreducible of degree 53 and format back unchanged', () => {
  for (const hex of RESTIC_POLYNOMIALS) {
    const p = parsePolynomial(hex);
    assert.equal(polynomialDegree(p), 53);
    assert.ok(isIrreducible(p));
    assert.equal(formatPolynomial(p), hex);
  }
  assert.equal(parsePolynomial('3da3358b4dc173'), 0x3da3358b4dc173n);
});

test('isIrreducible counts the irreducible polynomials of each degree up to 12 exactly', () => {
  // Known counts over GF(2) (OEIS A001037), which trial division also confirms.
  const expected = [0, 2, 1, 2, 3, 6, 9, 18, 30, 56, 99, 186, 335];
  for (let deg = 0; deg <= 12; deg++) {
    let count = 0;
    for (let p = 1n << BigInt(deg); p < 1n << BigInt(deg + 1); p++) {
      const benOr = isIrreducible(p);
      if (deg <= 9) assert.equal(benOr, irreducibleByTrialDivision(p), `0x${p.toString(16)}`);
      if (benOr) count++;
    }
    assert.equal(count, expected[deg], `degree ${deg}`);
  }
  assert.equal(isIrreducible(0n), false);
  assert.equal(isIrreducible(1n), false);
});

test('property: isIrreducible agrees with trial division up to degree 20', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 2n, max: (1n << 21n) - 1n }), (p) => isIrreducible(p) === irreducibleByTrialDivision(p)),
    { numRuns: 300 },
  );
});

test('property: a product of two non-constant polynomials is never irreducible', () => {
  const mul = (a: bigint, b: bigint): bigint => {
    let r = 0n;
    for (let i = 0n; b >> i; i++) if ((b >> i) & 1n) r ^= a << i;
    return r;
  };
  fc.assert(
    fc.property(fc.bigInt({ min: 2n, max: (1n << 27n) - 1n }), fc.bigInt({ min: 2n, max: (1n << 27n) - 1n }), (a, b) => {
      assert.equal(isIrreducible(mul(a, b)), false);
    }),
    { numRuns: 200 },
  );
});

test('mulMod and gcd behave like polynomial arithmetic', () => {
  const p = 0x3da3358b4dc173n;
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (a, b) => {
      // Distributive and commutative, results reduced below deg p.
      const ab = polynomialMulMod(a, b, p);
      assert.equal(ab, polynomialMulMod(b, a, p));
      assert.ok(polynomialDegree(ab) < 53);
      assert.equal(polynomialMulMod(a, b ^ 0x1234n, p), ab ^ polynomialMulMod(a, 0x1234n, p));
      // p is irreducible: it is coprime to everything it does not divide.
      const r = polynomialMod(a, p);
      assert.equal(polynomialGcd(p, r), r === 0n ? p : 1n);
    }),
    { numRuns: 200 },
  );
});

test('property: parse(format(p)) round-trips every polynomial randomPolynomial can return', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8 * 400, maxLength: 8 * 400 }), (bytes) => {
      const r = replay(Array.from(bytes));
      let p: bigint;
      try {
        p = randomPolynomial(r.source);
      } catch (e) {
        // 400 reducible draws in a row (p ≈ 1e-7) run the replayed source dry: not a failure.
        assert.ok(isLifeboatError(e, 'INTERNAL'));
        return;
      }
      const hex = formatPolynomial(p);
      assert.match(hex, /^[1-9a-f][0-9a-f]*$/);
      assert.equal(parsePolynomial(hex), p);
      assert.equal(formatPolynomial(parsePolynomial(hex)), hex);
    }),
    { numRuns: 30 },
  );
});

test('formatPolynomial is Go strconv.FormatUint(p, 16): lower case, no 0x, no leading zeros', () => {
  assert.equal(formatPolynomial(0x3da3358b4dc173n), '3da3358b4dc173');
  assert.equal(formatPolynomial(0n), '0');
  assert.equal(formatPolynomial((1n << 64n) - 1n), 'ffffffffffffffff');
  assert.throws(() => formatPolynomial(1n << 64n), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => formatPolynomial(-1n), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
});

test('parsePolynomial reads what Go ParseUint(s, 16, 64) reads: either case, leading zeros', () => {
  assert.equal(parsePolynomial('3DA3358B4DC173'), 0x3da3358b4dc173n);
  assert.equal(parsePolynomial('00003da3358b4dc173'), 0x3da3358b4dc173n);
});

test('parsePolynomial rejects damaged or unusable values with INVALID_DATA', () => {
  for (const bad of [
    '',
    '0x3da3358b4dc173',
    ' 3da3358b4dc173',
    '3da3358b4dc173\n',
    '3da3358b4dc17g',
    '-3da3358b4dc173',
    '+3da3358b4dc173',
    '3da3_358b4dc173',
    '10000000000000000', // 2^64: does not fit a uint64
    '3da3358b4dc172', // even: divisible by x
    '20000000000001', // x^53 + 1: divisible by x + 1
    '0', // restic would accept 0 and 1, but no chunker can use them
    '1',
    '7da3358b4dc173', // degree 54
    'c0000000000000000', // 65 bits
  ]) {
    expectInvalid(bad);
  }
  assert.throws(() => parsePolynomial('7da3358b4dc173'), /degree 54 is above 53/);
  assert.throws(() => parsePolynomial('3da3358b4dc172'), /not irreducible/);
  assert.throws(() => parsePolynomial('x'.repeat(10_000)), (e: unknown) => e instanceof Error && e.message.length < 300);
});

test('property: any string either parses to an irreducible polynomial of degree ≤ 53 or fails with INVALID_DATA', () => {
  const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFx -'), maxLength: 20 });
  fc.assert(
    fc.property(fc.oneof(fc.string(), hexish), (s) => {
      let p: bigint;
      try {
        p = parsePolynomial(s);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'), String(e));
        return;
      }
      assert.ok(isIrreducible(p) && polynomialDegree(p) <= 53);
    }),
    { numRuns: 500 },
  );
});

test('property: flipping a bit of a valid polynomial is caught unless the result is itself valid', () => {
  fc.assert(
    fc.property(fc.constantFrom(...RESTIC_POLYNOMIALS), fc.integer({ min: 0, max: 63 }), (hex, bit) => {
      const flipped = BigInt(`0x${hex}`) ^ (1n << BigInt(bit));
      const valid = bit <= 53 && flipped > 1n && isIrreducible(flipped);
      const text = flipped.toString(16);
      if (valid) assert.equal(parsePolynomial(text), flipped);
      else expectInvalid(text);
    }),
    { numRuns: 200 },
  );
});

test('randomPolynomial draws like restic: little-endian uint64, bits above 53 dropped, bits 53 and 0 set', () => {
  // First draw: all zero bytes give x^53 + 1, reducible; the second is restic's test polynomial,
  // with junk in the masked-off top bits and bit 0 cleared (both get fixed by the mask).
  const good = 0x3da3358b4dc173n;
  const noisy = good ^ 1n ^ (0xffn << 54n);
  const r = replay([...le64(0n), ...le64(noisy), ...le64(0n)]);
  assert.equal(randomPolynomial(r.source), good);
  assert.equal(r.used(), 16);
});

test('randomPolynomial with the system source gives irreducible degree-53 polynomials', () => {
  for (let i = 0; i < 5; i++) {
    const p = randomPolynomial();
    assert.equal(polynomialDegree(p), 53);
    assert.equal(p & 1n, 1n);
    assert.ok(isIrreducible(p));
    assert.equal(parsePolynomial(formatPolynomial(p)), p);
  }
});

test('randomPolynomial reports a broken random source instead of looping', () => {
  assert.throws(() => randomPolynomial(() => new Uint8Array(4)), (e: unknown) => isLifeboatError(e, 'INTERNAL'));
  assert.throws(() => randomPolynomial(replay(le64(0n)).source), (e: unknown) => isLifeboatError(e, 'INTERNAL'));
});
