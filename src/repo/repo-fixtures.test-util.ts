// Test-only helpers shared by the repo, app and archiver tests (not exported from index.ts).
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import fc from 'fast-check';
import { MemBackend, type Backend } from '../backend/index.js';
import { LifeboatError, type ErrorCode } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { PackedBlob } from './pack.js';
import { Repository, type RepoEnv } from './repository.js';

export const PASSWORD = new TextEncoder().encode('correct horse battery staple');
/** Cheap scrypt: what the brief asks tests to use. */
export const TEST_KDF = { N: 1024, r: 8, p: 1 } as const;

export function testEnv(over: { now?: () => Date; hostname?: string; pid?: number; isProcessAlive?: (pid: number) => boolean; sleep?: (ms: number) => Promise<void> } = {}): RepoEnv {
  return {
    ...(over.sleep ? { sleep: over.sleep } : {}),
    clock: { now: over.now ?? (() => new Date()) },
    owner: {
      hostname: over.hostname ?? 'test',
      username: 'test',
      pid: over.pid ?? process.pid,
      uid: 0,
      gid: 0,
      isProcessAlive: over.isProcessAlive ?? (() => true),
    },
  };
}

export function initTestRepo(backend: Backend = new MemBackend(), env: RepoEnv = testEnv()): Promise<Repository> {
  return Repository.init(backend, PASSWORD, env, { kdf: TEST_KDF });
}

export const sha256 = (b: Uint8Array): Id => createHash('sha256').update(b).digest('hex');

/** Reproducible incompressible bytes (AES-256-CTR keystream keyed by the seed). */
export function pseudoRandom(seed: string, length: number): Uint8Array {
  const key = createHash('sha256').update(seed).digest();
  return new Uint8Array(createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length)));
}

/** Byte equality whatever the classes (Buffer vs Uint8Array), with a readable message. */
export function assertBytes(actual: Uint8Array, expected: Uint8Array, msg?: string): void {
  if (Buffer.compare(actual, expected) === 0) return;
  const show = (b: Uint8Array) => `${b.length} bytes ${Buffer.from(b.subarray(0, 24)).toString('hex')}${b.length > 24 ? '…' : ''}`;
  assert.fail(`${msg ? msg + ': ' : ''}bytes differ: got ${show(actual)}, expected ${show(expected)}`);
}

/** Asserts `fn` throws a LifeboatError with this code (and nothing else), and returns it. */
export function throwsCode(fn: () => unknown, code: ErrorCode): LifeboatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof LifeboatError, `expected LifeboatError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected LifeboatError ${code}, nothing was thrown`);
}

/** Async version of `throwsCode`. */
export async function rejectsCode(p: Promise<unknown> | (() => Promise<unknown>), code: ErrorCode): Promise<LifeboatError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof LifeboatError, `expected LifeboatError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected LifeboatError ${code}, the promise resolved`);
}

/** Either returns normally or throws a LifeboatError with one of these codes; anything else fails. */
export function onlyThrowsCodes<T>(fn: () => T, codes: readonly ErrorCode[]): T | LifeboatError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof LifeboatError)) throw new assert.AssertionError({ message: `unexpected non-Lifeboat error: ${String((e as Error)?.stack ?? e)}` });
    assert.ok(codes.includes(e.code), `unexpected code ${e.code}: ${e.message}`);
    return e;
  }
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** A blob entry without its offset: type, ID, stored length (≥ 32), uncompressed length (0 or > 0). */
export const arbBlobEntry: fc.Arbitrary<Omit<PackedBlob, 'offset'>> = fc.record({
  type: fc.constantFrom('data' as const, 'tree' as const),
  id: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  length: fc.oneof(fc.integer({ min: 32, max: 1000 }), fc.integer({ min: 32, max: 0xffffffff })),
  uncompressedLength: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 1, max: 100 })),
});

/** Blobs laid out as a pack holds them: offsets are the running sum of the lengths. */
export function withOffsets(entries: readonly Omit<PackedBlob, 'offset'>[]): PackedBlob[] {
  let offset = 0;
  return entries.map((e) => {
    const b = { type: e.type, id: e.id, offset, length: e.length, uncompressedLength: e.uncompressedLength };
    offset += e.length;
    return b;
  });
}

export const arbPackBlobs: fc.Arbitrary<PackedBlob[]> = fc.array(arbBlobEntry, { maxLength: 20 }).map(withOffsets);

export { u32 as arbU32 };

export const arbId: fc.Arbitrary<Id> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

export { arbDamage, damage } from '../lib/damage.test-util.js';
