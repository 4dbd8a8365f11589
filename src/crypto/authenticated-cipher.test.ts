import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { CIPHER_OVERHEAD, IV_BYTES, nativeCtr, open, openInPlace, openInto, plaintextLength, seal, SealedStream, sealInPlace, sealInto, sealedLength, useNodeCipherForTests } from './authenticated-cipher.js';
import { macPoly1305Aes } from './poly1305-aes.js';
import { createCipheriv } from 'node:crypto';
import { aes256CtrXor } from '../lib/fs-native.js';
import { newMasterKey, type MasterKey } from './master-key.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// The full-object vector from restic's crypto tests (restic-format.md §2.2).
const VECTOR_KEY: MasterKey = {
  encrypt: hex('303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef'),
  macK: hex('ef4d8824cb80b2bcc5fbff8a9b12a42c'),
  macR: hex('cc8d4b948ee0ebfe1d415de921d10353'),
};
const VECTOR_OBJECT = hex('69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a54ea63338a813bcf3f75d8c3cc75dddf8750');

/** Asserts that `fn` throws one of the two "bad ciphertext" LifeboatErrors, and nothing else. */
function assertRejected(fn: () => unknown): void {
  let returned = false;
  try {
    fn();
    returned = true;
  } catch (e) {
    assert.ok(
      isLifeboatError(e, 'CIPHERTEXT_VERIFICATION_FAILED') || isLifeboatError(e, 'INVALID_DATA'),
      `unexpected error ${String(e)}`,
    );
  }
  assert.ok(!returned, 'tampered data was accepted');
}

test('opens the restic full-object vector', () => {
  assert.equal(text(open(VECTOR_KEY, VECTOR_OBJECT)), 'Dies ist ein Test!');
});

test('the vector fails with any other key', () => {
  const other = { ...VECTOR_KEY, macK: hex('00'.repeat(16)) };
  assert.throws(() => open(other, VECTOR_OBJECT), { name: 'LifeboatError', code: 'CIPHERTEXT_VERIFICATION_FAILED' });
});

test('open(seal(x)) == x, with a fresh random IV each time', () => {
  const key = newMasterKey();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (x) => {
      const a = seal(key, x);
      assert.equal(a.length, sealedLength(x.length));
      assert.deepEqual(open(key, a), x);
      const b = seal(key, x);
      assert.notDeepEqual(a.subarray(0, 16), b.subarray(0, 16));
    }),
    { numRuns: 200 },
  );
});

test('round trip across the internal chunk boundaries', () => {
  const key = newMasterKey();
  for (const n of [0, 1, 15, 16, 17, 65535, 65536, 65537, 3 * 65536 + 5, 4 * 1024 * 1024]) {
    const x = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
    assert.deepEqual(open(key, seal(key, x)), x, `length ${n}`);
  }
});

test('any flipped bit is rejected', () => {
  const key = newMasterKey();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (x, at, bit) => {
      const s = seal(key, x);
      s[at % s.length]! ^= 1 << bit;
      assertRejected(() => open(key, s));
    }),
    { numRuns: 500 },
  );
});

test('any replaced byte, truncation or extension is rejected', () => {
  const key = newMasterKey();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(), (x, at, delta, cut) => {
      const s = seal(key, x);
      const changed = Uint8Array.from(s);
      changed[at % s.length] = (changed[at % s.length]! + delta) & 0xff;
      assertRejected(() => open(key, changed));
      assertRejected(() => open(key, s.subarray(0, cut % s.length)));
      assertRejected(() => open(key, s.subarray(1 + (cut % s.length))));
      const longer = new Uint8Array(s.length + 1 + (cut % 20));
      longer.set(s);
      assertRejected(() => open(key, longer));
    }),
    { numRuns: 300 },
  );
});

test('short input and an all-zero IV are INVALID_DATA', () => {
  const key = newMasterKey();
  for (const n of [0, 1, 31]) {
    assert.throws(() => open(key, new Uint8Array(n)), { name: 'LifeboatError', code: 'INVALID_DATA' });
  }
  const s = seal(key, new TextEncoder().encode('hello'));
  s.fill(0, 0, 16);
  assert.throws(() => open(key, s), { name: 'LifeboatError', code: 'INVALID_DATA' });
  assert.throws(() => plaintextLength(CIPHER_OVERHEAD - 1), { code: 'INVALID_DATA' });
  assert.equal(plaintextLength(CIPHER_OVERHEAD), 0);
});

test('sealInto and openInto use the caller\'s buffers and refuse overlap or short buffers', () => {
  const key = newMasterKey();
  const x = new TextEncoder().encode('some blob contents');
  const out = new Uint8Array(100);
  const sealed = sealInto(key, x, out);
  assert.equal(sealed.buffer, out.buffer);
  assert.equal(sealed.length, sealedLength(x.length));
  const plain = new Uint8Array(50);
  const opened = openInto(key, sealed, plain);
  assert.equal(opened.buffer, plain.buffer);
  assert.deepEqual(opened, x);
  assert.throws(() => sealInto(key, x, new Uint8Array(sealedLength(x.length) - 1)), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => openInto(key, sealed, new Uint8Array(x.length - 1)), { code: 'INVALID_ARGUMENT' });
  const shared = new Uint8Array(200);
  shared.set(x);
  assert.throws(() => sealInto(key, shared.subarray(0, x.length), shared.subarray(10)), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => openInto(key, out.subarray(0, sealed.length), out.subarray(sealed.length - 1)), { code: 'INVALID_ARGUMENT' });
});

test('a key changed in place is honoured, not served from the per-key cache', () => {
  const key = newMasterKey();
  const x = new TextEncoder().encode('data');
  const before = seal(key, x);
  key.macK[0]! ^= 1;
  assert.throws(() => open(key, before), { code: 'CIPHERTEXT_VERIFICATION_FAILED' });
  assert.deepEqual(open(key, seal(key, x)), x);
});

test('malformed keys give INVALID_ARGUMENT', () => {
  const good = newMasterKey();
  const x = new Uint8Array(4);
  assert.throws(() => seal({ ...good, encrypt: new Uint8Array(16) }, x), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => seal({ ...good, macK: new Uint8Array(32) }, x), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => seal({ ...good, macR: new Uint8Array(0) }, x), { code: 'INVALID_ARGUMENT' });
});

test('the native AES-256-CTR equals node:crypto\'s, in place too, across counter wrap-around', { skip: !nativeCtr && 'native helper not built' }, () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      // IVs near the end of the 128-bit counter: the carry must run through all 16 bytes.
      fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constant(new Uint8Array(16).fill(0xff)), fc.uint8Array({ minLength: 4, maxLength: 4 }).map((t) => Uint8Array.from([...new Uint8Array(12).fill(0xff), ...t]))),
      fc.uint8Array({ maxLength: 5000 }),
      (key, iv, data) => {
        const c = createCipheriv('aes-256-ctr', key, iv);
        const expected = Buffer.concat([c.update(data), c.final()]);
        const out = new Uint8Array(data.length);
        aes256CtrXor!(key, iv, data, out);
        assert.deepEqual(Buffer.from(out), expected);
        const inPlace = Uint8Array.from(data);
        aes256CtrXor!(key, iv, inPlace, inPlace);
        assert.deepEqual(Buffer.from(inPlace), expected);
      },
    ),
  );
  assert.throws(() => aes256CtrXor!(new Uint8Array(31), new Uint8Array(16), new Uint8Array(1), new Uint8Array(1)), /32-byte key/);
  assert.throws(() => aes256CtrXor!(new Uint8Array(32), new Uint8Array(16), new Uint8Array(2), new Uint8Array(1)), /at least as long/);
});

test('sealed with the native cipher opens with node:crypto\'s and the other way round', { skip: !nativeCtr && 'native helper not built' }, () => {
  const key = newMasterKey();
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
      const a = seal(key, data);
      useNodeCipherForTests(true);
      try {
        assert.deepEqual(Buffer.from(open(key, a)), Buffer.from(data));
        const b = seal(key, data);
        useNodeCipherForTests(false);
        assert.deepEqual(Buffer.from(open(key, b)), Buffer.from(data));
      } finally {
        useNodeCipherForTests(false);
      }
    }),
  );
});

for (const cipher of ['native', 'node:crypto'] as const) {
  test(`openInPlace (${cipher} AES-CTR): the plaintext of any sealed object, inside its own bytes; any damage is refused and nothing is decrypted`, () => {
    useNodeCipherForTests(cipher === 'node:crypto');
    try {
      const key = newMasterKey();
      assert.equal(text(openInPlace(VECTOR_KEY, new Uint8Array(VECTOR_OBJECT))), 'Dies ist ein Test!');
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200_000 }), fc.nat(), (plain, at) => {
          const sealed = seal(key, plain);
          const copy = new Uint8Array(sealed);
          const opened = openInPlace(key, copy);
          assert.equal(opened.buffer, copy.buffer, 'a view of the sealed bytes');
          assert.equal(opened.byteOffset, copy.byteOffset + 16);
          assert.deepEqual(opened, plain);
          const damaged = new Uint8Array(sealed);
          damaged[at % damaged.length]! ^= 0x40;
          const before = new Uint8Array(damaged);
          assertRejected(() => openInPlace(key, damaged));
          assert.deepEqual(damaged, before, 'a refused object is left as it was');
          assertRejected(() => openInPlace(key, sealed.subarray(0, Math.min(at % (sealed.length + 1), CIPHER_OVERHEAD - 1))));
        }),
        { numRuns: 60 },
      );
    } finally {
      useNodeCipherForTests(false);
    }
  });

  test(`sealInPlace (${cipher} AES-CTR): the box's plaintext becomes a sealed object that opens to it; bytes outside the object are untouched; a short box is refused`, () => {
    useNodeCipherForTests(cipher === 'node:crypto');
    try {
      const key = newMasterKey();
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200_000 }), fc.nat({ max: 64 }), fc.nat({ max: 64 }), (plain, before, after) => {
          // The box sits inside a larger buffer, with `after` spare bytes behind it.
          const outer = new Uint8Array(before + sealedLength(plain.length) + after).fill(0xa5);
          const box = outer.subarray(before);
          box.set(plain, IV_BYTES);
          const sealed = sealInPlace(key, box, plain.length);
          assert.equal(sealed.buffer, outer.buffer, 'sealed where it lay');
          assert.equal(sealed.byteOffset, outer.byteOffset + before);
          assert.equal(sealed.length, sealedLength(plain.length));
          assert.deepEqual(open(key, sealed), plain);
          assert.ok(outer.subarray(0, before).every((b) => b === 0xa5) && outer.subarray(before + sealed.length).every((b) => b === 0xa5), 'nothing outside the object written');
          assert.throws(() => sealInPlace(key, new Uint8Array(sealedLength(plain.length) - 1), plain.length), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
        }),
        { numRuns: 60 },
      );
    } finally {
      useNodeCipherForTests(false);
    }
  });
}

/** Split points for a SealedStream: anywhere in the IV and MAC, at 16-byte steps of the ciphertext. */
function streamParts(sealed: Uint8Array, picks: readonly number[]): Uint8Array[] {
  const n = sealed.length;
  const allowed = (b: number) => b <= IV_BYTES || b >= n - 16 || (b - IV_BYTES) % 16 === 0;
  const cuts = [...new Set(picks.map((p) => p % (n + 1)).filter(allowed))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const c of [...cuts, n]) {
    parts.push(sealed.subarray(last, c));
    last = c;
  }
  return parts;
}

for (const cipher of ['native', 'node:crypto'] as const) {
  test(`SealedStream (${cipher} AES-CTR): parts split at any allowed point give the plaintext and a good MAC; any damage fails the MAC`, { skip: cipher === 'native' && !nativeCtr && 'native helper not built' }, () => {
    useNodeCipherForTests(cipher === 'node:crypto');
    try {
      const key = newMasterKey();
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100_000 }), fc.array(fc.nat(), { maxLength: 12 }), fc.nat(), (plain, picks, at) => {
          const sealed = seal(key, plain);
          const s = new SealedStream(key, sealed.length);
          const out = streamParts(new Uint8Array(sealed), picks).map((p) => Uint8Array.from(s.push(p)));
          assert.deepEqual(Buffer.concat(out), Buffer.from(plain));
          assert.equal(s.end(), true);
          const damaged = new Uint8Array(sealed);
          damaged[at % damaged.length]! ^= 0x01;
          const d = new SealedStream(key, damaged.length);
          for (const p of streamParts(damaged, picks)) d.push(p);
          assert.equal(d.end(), false, 'a damaged object fails');
          const short = new SealedStream(key, sealed.length);
          short.push(new Uint8Array(sealed).subarray(0, sealed.length - 1));
          assert.equal(short.end(), false, 'an object cut short fails');
        }),
        { numRuns: 80 },
      );
    } finally {
      useNodeCipherForTests(false);
    }
  });
}

test('SealedStream: the counter carries across 2^128 as Go and OpenSSL count; misaligned parts and extra bytes are refused', () => {
  const key = newMasterKey();
  const iv = new Uint8Array(16).fill(0xff);
  iv[0] = 0x12;
  iv[15] = 0xfe; // wraps after two blocks
  const plain = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff);
  const c = createCipheriv('aes-256-ctr', key.encrypt, iv);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  const sealed = Buffer.concat([iv, ct, macPoly1305Aes(key.macK, key.macR, iv, ct)]);
  assert.deepEqual(open(key, sealed), new Uint8Array(plain), 'the hand-made object is valid');
  const s = new SealedStream(key, sealed.length);
  const parts = [sealed.subarray(0, 16 + 32), sealed.subarray(48, 16 + 64), sealed.subarray(80)].map((p) => Uint8Array.from(p));
  assert.deepEqual(Buffer.concat(parts.map((p) => Uint8Array.from(s.push(p)))), Buffer.from(plain));
  assert.equal(s.end(), true);
  const m = new SealedStream(key, sealed.length);
  assert.throws(() => m.push(Uint8Array.from(sealed.subarray(0, 16 + 5))) && m.push(Uint8Array.from(sealed.subarray(21, 40))), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  const x = new SealedStream(key, sealed.length);
  assert.throws(() => x.push(new Uint8Array(sealed.length + 1)), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => new SealedStream(key, 31), (e: unknown) => isLifeboatError(e, 'INVALID_DATA'));
});
