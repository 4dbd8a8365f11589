import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { newMasterKey } from '../crypto/index.js';
import { ScratchCodec } from './scratch-codec.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Part sizes that are multiples of 16 (what streamCheck needs), from random picks. */
function parts(bytes: Uint8Array, picks: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = 16 * (1 + ((picks[i++ % Math.max(1, picks.length)] ?? 0) % 400));
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

test('streamCheck: a blob sealed raw or compressed checks out in parts of any 16-byte multiple; damage, another ID or a missing part do not', () => {
  const key = newMasterKey();
  const codec = new ScratchCodec(key);
  const checker = new ScratchCodec(key);
  fc.assert(
    fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 60_000 }), fc.string({ maxLength: 60_000 }).map((s) => new TextEncoder().encode(s.repeat(3)))),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (plain, picks, at) => {
        const id = sha256(plain);
        const s = codec.seal(id, plain, 'auto', false);
        const check = (bytes: Uint8Array, asId: string, drop = false) => {
          const c = checker.streamCheck(asId, s.sealed.length, s.uncompressedLength);
          const ps = parts(new Uint8Array(bytes), picks);
          for (const p of drop ? ps.slice(0, -1) : ps) c.push(p);
          return c.end();
        };
        assert.equal(check(s.sealed, id), true);
        const damaged = new Uint8Array(s.sealed);
        damaged[at % damaged.length]! ^= 0x10;
        assert.equal(check(damaged, id), false, 'damaged');
        assert.equal(check(s.sealed, sha256(new Uint8Array([1, ...plain]))), false, 'another ID');
        assert.equal(check(s.sealed, id, true), false, 'last part missing');
      },
    ),
    { numRuns: 80 },
  );
});
