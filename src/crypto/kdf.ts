import { randomFillSync, scrypt } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';
import type { MasterKey } from './master-key.js';
import { clampPoly1305R } from './poly1305-aes.js';

/** scrypt cost parameters as a key file stores them. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** restic refuses any other salt length ("scrypt() called with invalid salt bytes"). */
export const SCRYPT_SALT_BYTES = 64;

/**
 * Ceiling on the memory one derivation may take. restic calibrates within 60 MiB, so real key
 * files stay far below; the cap only stops a hostile or damaged key file from exhausting memory.
 */
export const SCRYPT_MAX_MEMORY = 1024 * 1024 * 1024;

// Where calibration stops growing N and raises p instead, as restic does (it calibrates in 60 MiB).
const CALIBRATION_MAX_MEMORY = 64 * 1024 * 1024;
const CALIBRATION_MIN_N = 1024;

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

/** Bytes OpenSSL allocates for these parameters: the V array, 128·r·(N+2), plus B, 128·r·p. */
function scryptMemory({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + 2) + 128 * r * p;
}

/**
 * Throws INVALID_ARGUMENT unless the parameters pass restic's checks (simple-scrypt's `Check` and
 * x/crypto/scrypt's): N > 1 and a power of two, r ≥ 1, p ≥ 1, r·p < 2^30. When `salt` is given it
 * must be exactly 64 bytes.
 */
export function validateScryptParams(params: ScryptParams, salt?: Uint8Array): void {
  const { N, r, p } = params;
  if (!isPowerOfTwo(N) || N < 2) throw new LifeboatError('INVALID_ARGUMENT', `scrypt N must be a power of two above 1, got ${N}`);
  if (!Number.isSafeInteger(r) || r < 1) throw new LifeboatError('INVALID_ARGUMENT', `scrypt r must be a positive integer, got ${r}`);
  if (!Number.isSafeInteger(p) || p < 1) throw new LifeboatError('INVALID_ARGUMENT', `scrypt p must be a positive integer, got ${p}`);
  if (r * p >= 2 ** 30) throw new LifeboatError('INVALID_ARGUMENT', `scrypt r·p must be below 2^30, got ${r * p}`);
  if (salt !== undefined && salt.length !== SCRYPT_SALT_BYTES) {
    throw new LifeboatError('INVALID_ARGUMENT', `scrypt salt must be ${SCRYPT_SALT_BYTES} bytes, got ${salt.length}`);
  }
}

function runScrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const { N, r, p } = params;
  // Node's default maxmem (32 MiB) is below what restic's own calibrated keys need.
  const maxmem = scryptMemory(params) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    const fail = (cause: unknown): void =>
      reject(new LifeboatError('INVALID_ARGUMENT', `scrypt refused N=${N} r=${r} p=${p}`, { cause }));
    try {
      scrypt(password, salt, 64, { N, r, p, maxmem }, (err, out) => {
        if (err) return fail(err);
        // Buffer.slice() would share memory, so hand back a plain copy and wipe Node's buffer.
        const copy = Uint8Array.from(out);
        out.fill(0);
        resolve(copy);
      });
    } catch (e) {
      fail(e); // OpenSSL rejects some combinations up front, e.g. N ≥ 2^(16·r)
    }
  });
}

/**
 * Derives the key that unlocks one key file: scrypt(password, salt, N, r, p, 64 bytes) split as
 * encrypt = [0,32), mac.k = [32,48), mac.r = clamp([48,64)). The password is the raw bytes restic
 * would see (UTF-8, no normalisation).
 */
export async function deriveUserKey(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<MasterKey> {
  validateScryptParams(params, salt);
  const mem = scryptMemory(params);
  if (mem > SCRYPT_MAX_MEMORY) {
    throw new LifeboatError(
      'INVALID_ARGUMENT',
      `scrypt parameters N=${params.N} r=${params.r} p=${params.p} need ${Math.ceil(mem / 2 ** 20)} MiB, above the ${SCRYPT_MAX_MEMORY / 2 ** 20} MiB limit`,
    );
  }
  const out = await runScrypt(password, salt, params);
  const key: MasterKey = {
    encrypt: out.slice(0, 32),
    macK: out.slice(32, 48),
    macR: clampPoly1305R(out.subarray(48, 64)),
  };
  out.fill(0);
  return key;
}

// The global performance, not node:perf_hooks: opening a repository loads this file before the
// key's scrypt starts, and only calibration (init, new keys) times anything.
async function timeScrypt(params: ScryptParams): Promise<number> {
  const pw = randomFillSync(new Uint8Array(16));
  const salt = randomFillSync(new Uint8Array(SCRYPT_SALT_BYTES));
  const t0 = performance.now();
  await runScrypt(pw, salt, params);
  return performance.now() - t0;
}

/**
 * Picks scrypt parameters that take about `targetMs` here: r = 8, N a power of two ≥ 1024 and,
 * once N reaches 64 MiB of memory, a larger p instead (restic does the same within 60 MiB).
 * Measures with growing N until a run takes a quarter of the target, then extrapolates, so the
 * whole calibration costs well under `targetMs`·2.
 */
export async function calibrateScrypt(targetMs = 100): Promise<ScryptParams> {
  if (!(targetMs > 0)) throw new LifeboatError('INVALID_ARGUMENT', `calibration target must be positive, got ${targetMs} ms`);
  const r = 8;
  const maxN = 2 ** Math.floor(Math.log2(CALIBRATION_MAX_MEMORY / (128 * r)));
  await timeScrypt({ N: CALIBRATION_MIN_N, r, p: 1 }); // warm up the thread pool and OpenSSL
  let N = CALIBRATION_MIN_N;
  let ms = await timeScrypt({ N, r, p: 1 });
  while (ms < targetMs / 4 && N < maxN) {
    N *= 2;
    ms = await timeScrypt({ N, r, p: 1 });
  }
  const perN = Math.max(ms, 0.001) / N; // scrypt's cost is linear in N and in p
  const bestN = 2 ** Math.round(Math.log2(targetMs / perN));
  const chosenN = Math.min(maxN, Math.max(CALIBRATION_MIN_N, bestN));
  const p = chosenN === maxN ? Math.max(1, Math.round(targetMs / (perN * maxN))) : 1;
  const params = { N: chosenN, r, p };
  validateScryptParams(params);
  return params;
}
