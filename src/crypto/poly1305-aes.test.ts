import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { clampPoly1305R, macPoly1305Aes } from './poly1305-aes.js';
import { sodium } from './sodium.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Little-endian bytes to BigInt. */
function le(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** Textbook Poly1305, independent of libsodium: the reference the native code is checked against. */
function poly1305Reference(r: Uint8Array, s: Uint8Array, msg: Uint8Array): Uint8Array {
  const P = (1n << 130n) - 5n;
  const rn = le(clampPoly1305R(r));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = msg.subarray(i, i + 16);
    acc = ((acc + le(chunk) + (1n << BigInt(8 * chunk.length))) * rn) % P;
  }
  let tag = (acc + le(s)) % (1n << 128n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++, tag >>= 8n) out[i] = Number(tag & 0xffn);
  return out;
}

function aes128Block(k: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', k, null);
  c.setAutoPadding(false);
  return c.update(block);
}

// Bernstein's Poly1305-AES vectors, as restic's crypto tests use them (restic-format.md §2.2).
const VECTORS = [
  { msg: 'f3f6', r: '851fc40c3467ac0be05cc20404f3f700', k: 'ec074c835580741701425b623235add6', nonce: 'fb447350c4e868c52ac3275cf9d4327e', mac: 'f4c633c3044fc145f84f335cb81953de' },
  { msg: '', r: 'a0f3080000f46400d0c7e9076c834403', k: '75deaa25c09f208e1dc4ce6b5cad3fbf', nonce: '61ee09218d29b0aaed7e154a2c5509cc', mac: 'dd3fab2251f11ac759f0887129cc2ee7' },
  {
    msg: '663cea190ffb83d89593f3f476b6bc24d7e679107ea26adb8caf6652d0656136',
    r: '48443d0bb0d21109c89a100b5ce2c208',
    k: '6acb5f61a7176dd320c5c1eb2edcdc74',
    nonce: 'ae212a55399729595dea458bc621ff0e',
    mac: '0ee1c16bb73f0f4fd19881753c01cdbe',
  },
];

test('Poly1305-AES reproduces the published vectors', () => {
  for (const v of VECTORS) {
    assert.equal(toHex(macPoly1305Aes(hex(v.k), hex(v.r), hex(v.nonce), hex(v.msg))), v.mac);
    const s = aes128Block(hex(v.k), hex(v.nonce));
    assert.equal(toHex(poly1305Reference(hex(v.r), s, hex(v.msg))), v.mac, 'reference implementation');
  }
});

test('clamping clears exactly the bits Poly1305 requires', () => {
  const c = clampPoly1305R(new Uint8Array(16).fill(0xff));
  assert.equal(toHex(c), 'ffffff0ffcffff0ffcffff0ffcffff0f');
  const input = new Uint8Array(16).fill(0xff);
  clampPoly1305R(input);
  assert.ok(input.every((b) => b === 0xff), 'input is not modified');
});

test('native Poly1305 matches the BigInt reference on random keys and messages', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 300 }), (r, s, msg) => {
      const key = new Uint8Array(32);
      key.set(r, 0);
      key.set(s, 16);
      const tag = new Uint8Array(16);
      sodium.crypto_onetimeauth(tag, msg, key);
      assert.equal(toHex(tag), toHex(poly1305Reference(r, s, msg)));
    }),
    { numRuns: 300 },
  );
});

test('macPoly1305Aes matches the reference on random keys, nonces and messages', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ maxLength: 200 }),
      (k, r, nonce, msg) => {
        const expected = poly1305Reference(r, aes128Block(k, nonce), msg);
        assert.equal(toHex(macPoly1305Aes(k, r, nonce, msg)), toHex(expected));
      },
    ),
    { numRuns: 200 },
  );
});

test('wrong-sized MAC inputs are rejected with INVALID_ARGUMENT', () => {
  const z16 = new Uint8Array(16);
  for (const [k, r, n] of [
    [new Uint8Array(15), z16, z16],
    [z16, new Uint8Array(17), z16],
    [z16, z16, new Uint8Array(8)],
  ] as const) {
    assert.throws(() => macPoly1305Aes(k, r, n, z16), { name: 'LifeboatError', code: 'INVALID_ARGUMENT' });
  }
});
