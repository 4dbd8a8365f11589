import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodePackHeader, encodePackHeader, expectedPackSize, headerEntrySize, MAX_HEADER_SIZE, MIN_PACK_SIZE, parseHeaderLength, type PackedBlob } from './pack.js';
import { arbDamage, arbPackBlobs, damage, onlyThrowsCodes, sha256, throwsCode } from './repo-fixtures.test-util.js';

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u32le = (n: number): Uint8Array => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};
const HELLO_ID = sha256(new TextEncoder().encode('hello restic\n'));

describe('encodePackHeader / decodePackHeader', () => {
  test('round trip over arbitrary blob lists; offsets are the running sum of lengths', () => {
    fc.assert(
      fc.property(arbPackBlobs, (blobs) => {
        const plain = encodePackHeader(blobs);
        assert.equal(plain.length, blobs.reduce((s, b) => s + (b.uncompressedLength > 0 ? 41 : 37), 0));
        assert.deepEqual(decodePackHeader(plain), blobs);
      }),
      { numRuns: 300 },
    );
  });

  test('the header of the real restic pack (format notes §5.1) decodes and re-encodes byte for byte', () => {
    // type 2 (compressed data), length 54, uncompressed length 13, ID = sha256("hello restic\n")
    const plain = hex(`02 36000000 0d000000 ${HELLO_ID}`);
    const blobs = decodePackHeader(plain);
    assert.deepEqual(blobs, [{ type: 'data', id: HELLO_ID, offset: 0, length: 54, uncompressedLength: 13 }]);
    assert.deepEqual(Buffer.from(encodePackHeader(blobs)), Buffer.from(plain));
  });

  test('type byte: 0 data, 1 tree, 2 compressed data, 3 compressed tree; entry sizes 37 and 41', () => {
    const id = 'ab'.repeat(32);
    const cases: [PackedBlob['type'], number, number, number][] = [
      ['data', 0, 0, 37],
      ['tree', 0, 1, 37],
      ['data', 7, 2, 41],
      ['tree', 7, 3, 41],
    ];
    for (const [type, ulen, byte, size] of cases) {
      const b: PackedBlob = { type, id, offset: 0, length: 0x01020304, uncompressedLength: ulen };
      const plain = encodePackHeader([b]);
      assert.equal(plain.length, size);
      assert.equal(headerEntrySize(b), size);
      assert.equal(plain[0], byte);
      assert.deepEqual([...plain.subarray(1, 5)], [4, 3, 2, 1], 'length is u32 little-endian');
      if (ulen > 0) assert.deepEqual([...plain.subarray(5, 9)], [7, 0, 0, 0]);
      assert.equal(Buffer.from(plain.subarray(size - 32)).toString('hex'), id, 'ID is last');
    }
  });

  test('empty header is empty and decodes to no blobs', () => {
    assert.equal(encodePackHeader([]).length, 0);
    assert.deepEqual(decodePackHeader(new Uint8Array(0)), []);
  });

  test('decodes a header that is a view into a larger buffer', () => {
    const blobs: PackedBlob[] = [
      { type: 'tree', id: '11'.repeat(32), offset: 0, length: 100, uncompressedLength: 300 },
      { type: 'tree', id: '22'.repeat(32), offset: 100, length: 40, uncompressedLength: 0 },
    ];
    const plain = encodePackHeader(blobs);
    const big = new Uint8Array(plain.length + 20).fill(0xee);
    big.set(plain, 7);
    assert.deepEqual(decodePackHeader(big.subarray(7, 7 + plain.length)), blobs);
  });

  test('a type byte above 3 is INVALID_DATA', () => {
    for (const t of [4, 5, 0x7f, 0xff]) {
      const plain = hex(`${t.toString(16).padStart(2, '0')} 36000000 ${HELLO_ID}`);
      throwsCode(() => decodePackHeader(plain), 'INVALID_DATA');
    }
  });

  test('a stored length below the 32 bytes of crypto overhead is INVALID_DATA', () => {
    throwsCode(() => decodePackHeader(hex(`00 1f000000 ${HELLO_ID}`)), 'INVALID_DATA');
    throwsCode(() => decodePackHeader(hex(`02 00000000 0d000000 ${HELLO_ID}`)), 'INVALID_DATA');
    assert.equal(decodePackHeader(hex(`00 20000000 ${HELLO_ID}`))[0]!.length, 32);
  });

  test('a truncated header is INVALID_DATA unless cut exactly between entries (then a prefix)', () => {
    fc.assert(
      fc.property(arbPackBlobs.filter((b) => b.length > 0), fc.nat(), (blobs, cut) => {
        const plain = encodePackHeader(blobs);
        const n = cut % plain.length; // strictly shorter
        const ends: number[] = [];
        let e = 0;
        for (const b of blobs) ends.push((e += headerEntrySize(b)));
        const whole = [0, ...ends].indexOf(n);
        if (whole >= 0) assert.deepEqual(decodePackHeader(plain.subarray(0, n)), blobs.slice(0, whole));
        else throwsCode(() => decodePackHeader(plain.subarray(0, n)), 'INVALID_DATA');
      }),
      { numRuns: 300 },
    );
  });

  test('corrupted headers give INVALID_DATA or some blobs, never another exception', () => {
    fc.assert(
      fc.property(arbPackBlobs, arbDamage, (blobs, edits) => {
        const r = onlyThrowsCodes(() => decodePackHeader(damage(encodePackHeader(blobs), edits)), ['INVALID_DATA']);
        if (Array.isArray(r)) for (const b of r) assert.ok(b.length >= 32 && /^[0-9a-f]{64}$/.test(b.id));
      }),
      { numRuns: 500 },
    );
  });

  test('random bytes give INVALID_DATA or some blobs, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        onlyThrowsCodes(() => decodePackHeader(bytes), ['INVALID_DATA']);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseHeaderLength', () => {
  test('MIN_PACK_SIZE is 73 (4 + 32 + one 37-byte entry), as restic requires', () => {
    assert.equal(MIN_PACK_SIZE, 73);
    assert.equal(MAX_HEADER_SIZE, 16 * 1024 * 1024);
  });

  test('the real 131-byte pack: trailer 49000000 is a 73-byte header', () => {
    assert.equal(parseHeaderLength(hex('49000000'), 131), 73);
  });

  test('bounds', () => {
    // file too small
    throwsCode(() => parseHeaderLength(u32le(32), 72), 'INVALID_DATA');
    throwsCode(() => parseHeaderLength(u32le(32), 0), 'INVALID_DATA');
    assert.equal(parseHeaderLength(u32le(32), 73), 32);
    // header shorter than the crypto overhead
    throwsCode(() => parseHeaderLength(u32le(31), 1000), 'INVALID_DATA');
    throwsCode(() => parseHeaderLength(u32le(0), 1000), 'INVALID_DATA');
    // header longer than the file allows
    assert.equal(parseHeaderLength(u32le(996), 1000), 996);
    throwsCode(() => parseHeaderLength(u32le(997), 1000), 'INVALID_DATA');
    throwsCode(() => parseHeaderLength(u32le(0xffffffff), 1000), 'INVALID_DATA');
    // 16 MiB cap
    const big = 64 * 1024 * 1024;
    assert.equal(parseHeaderLength(u32le(MAX_HEADER_SIZE), big), MAX_HEADER_SIZE);
    throwsCode(() => parseHeaderLength(u32le(MAX_HEADER_SIZE + 1), big), 'INVALID_DATA');
  });

  test('reads the trailer from a view with an offset', () => {
    const buf = new Uint8Array(10).fill(0xff);
    buf.set(u32le(40), 3);
    assert.equal(parseHeaderLength(buf.subarray(3, 7), 200), 40);
  });

  test('property: returns n exactly when 32 ≤ n ≤ min(16 MiB, size − 4) and size ≥ 73, else INVALID_DATA', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 0xffffffff })),
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 40 })),
        (n, size) => {
          const ok = size >= 73 && n >= 32 && n <= MAX_HEADER_SIZE && n <= size - 4;
          if (ok) assert.equal(parseHeaderLength(u32le(n), size), n);
          else throwsCode(() => parseHeaderLength(u32le(n), size), 'INVALID_DATA');
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('expectedPackSize', () => {
  test('the real 131-byte pack: one compressed blob of 54 stored bytes', () => {
    assert.equal(expectedPackSize([{ type: 'data', id: HELLO_ID, offset: 0, length: 54, uncompressedLength: 13 }]), 131);
  });

  test('no blobs: just the empty sealed header and the trailer', () => {
    assert.equal(expectedPackSize([]), 36);
  });

  test('equals Σ length + sealed header (plaintext + 32) + 4', () => {
    fc.assert(
      fc.property(arbPackBlobs, (blobs) => {
        const sum = blobs.reduce((s, b) => s + b.length, 0);
        assert.equal(expectedPackSize(blobs), sum + encodePackHeader(blobs).length + 32 + 4);
      }),
    );
  });
});
