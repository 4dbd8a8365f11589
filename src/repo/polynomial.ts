import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';

/**
 * A polynomial over GF(2) held in a bigint: bit i is the coefficient of x^i. This is the
 * repository's chunker polynomial (restic's `Pol`, a uint64). Bigints are fine here: these
 * functions run once per repository; the chunker turns the polynomial into tables.
 */
export type Polynomial = bigint;

/** Highest degree the chunker accepts: the digest (< 2^deg) shifted by one byte must fit in 64 bits. */
export const MAX_POLYNOMIAL_DEGREE = 53;

const RANDOM_DEGREE = 53;
const RANDOM_MAX_TRIES = 1_000_000;
const U64_LIMIT = 1n << 64n;

/** Index of the highest set bit; -1 for the zero polynomial. */
export function polynomialDegree(p: Polynomial): number {
  if (p < 0n) throw new LifeboatError('INVALID_ARGUMENT', 'a polynomial cannot be negative');
  if (p === 0n) return -1;
  let d = 0;
  while (p >= 0x1_0000_0000n) {
    p >>= 32n;
    d += 32;
  }
  return d + 31 - Math.clz32(Number(p));
}

/** Remainder of a divided by m (long division: addition and subtraction are both XOR). */
export function polynomialMod(a: Polynomial, m: Polynomial): Polynomial {
  if (m === 0n) throw new LifeboatError('INVALID_ARGUMENT', 'polynomial division by zero');
  const dm = polynomialDegree(m);
  for (let da = polynomialDegree(a); da >= dm; da = polynomialDegree(a)) a ^= m << BigInt(da - dm);
  return a;
}

/** a·b mod m, by shift-and-add from b's top bit down, so no intermediate exceeds deg(m)+1. */
export function polynomialMulMod(a: Polynomial, b: Polynomial, m: Polynomial): Polynomial {
  const dm = BigInt(polynomialDegree(m));
  const top = 1n << dm;
  a = polynomialMod(a, m);
  let res = 0n;
  for (let i = polynomialDegree(b); i >= 0; i--) {
    res <<= 1n;
    if (res & top) res ^= m;
    if ((b >> BigInt(i)) & 1n) res ^= a;
  }
  return res;
}

export function polynomialGcd(a: Polynomial, b: Polynomial): Polynomial {
  while (b !== 0n) [a, b] = [b, polynomialMod(a, b)];
  return a;
}

/**
 * Ben-Or's test: p is irreducible iff gcd(p, x^(2^i) − x mod p) = 1 for i = 1 … deg/2.
 * Unlike restic, 0 and 1 (zero and a unit) count as not irreducible; restic's chunker cannot
 * use them either.
 */
export function isIrreducible(p: Polynomial): boolean {
  if (p < 2n) return false;
  const half = Math.floor(polynomialDegree(p) / 2);
  let x2i = 2n; // x^(2^i) mod p, squared once per step instead of recomputed from x
  for (let i = 1; i <= half; i++) {
    x2i = polynomialMulMod(x2i, x2i, p);
    if (polynomialGcd(p, polynomialMod(x2i ^ 2n, p)) !== 1n) return false;
  }
  return true;
}

/**
 * A new random irreducible polynomial of degree 53, drawn the way restic draws it: 8 random
 * bytes as a little-endian uint64, keep bits 0…53, set bits 53 and 0, retry until irreducible.
 * `randomBytes` is injectable so tests can replay a byte stream.
 */
export function randomPolynomial(randomBytes: (n: number) => Uint8Array = cryptoRandomBytes): Polynomial {
  const keep = (1n << BigInt(RANDOM_DEGREE + 1)) - 1n;
  const force = (1n << BigInt(RANDOM_DEGREE)) | 1n;
  for (let i = 0; i < RANDOM_MAX_TRIES; i++) {
    const b = randomBytes(8);
    if (b.length !== 8) throw new LifeboatError('INTERNAL', `random source returned ${b.length} bytes instead of 8`);
    const f = (new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) & keep) | force;
    if (isIrreducible(f)) return f;
  }
  throw new LifeboatError('INTERNAL', `no irreducible polynomial found in ${RANDOM_MAX_TRIES} tries: is the random source broken?`);
}

/** Lower-case hex without `0x`, as restic writes `chunker_polynomial` (Go's strconv.FormatUint(p, 16)). */
export function formatPolynomial(p: Polynomial): string {
  if (p < 0n || p >= U64_LIMIT) throw new LifeboatError('INVALID_ARGUMENT', 'a chunker polynomial must fit in 64 bits');
  return p.toString(16);
}

/**
 * Parses `chunker_polynomial` from a repository config. Accepts what restic's reader accepts
 * (hex digits of either case, leading zeros, no `0x`, at most 64 bits) and requires a
 * polynomial the chunker can use: irreducible, degree ≤ 53. Anything else is INVALID_DATA.
 */
export function parsePolynomial(hex: string): Polynomial {
  const shown = JSON.stringify(hex.length > 40 ? `${hex.slice(0, 40)}…` : hex);
  const invalid = (why: string): LifeboatError =>
    new LifeboatError('INVALID_DATA', `invalid chunker polynomial ${shown}: ${why}; the repository config is damaged`, {
      data: { polynomial: hex.slice(0, 80) },
    });
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw invalid('expected hexadecimal digits without 0x');
  const p = BigInt(`0x${hex}`);
  if (p >= U64_LIMIT) throw invalid('more than 64 bits');
  const deg = polynomialDegree(p);
  if (deg > MAX_POLYNOMIAL_DEGREE) throw invalid(`degree ${deg} is above ${MAX_POLYNOMIAL_DEGREE}`);
  if (!isIrreducible(p)) throw invalid('not irreducible');
  return p;
}
