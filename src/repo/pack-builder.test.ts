import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { newMasterKey, open, seal, type MasterKey } from '../crypto/index.js';
import { openBlob } from './blob-codec.js';
import { PackBuilder } from './pack-builder.js';
import { decodePackHeader, expectedPackSize, parseHeaderLength } from './pack.js';
import { assertBytes, sha256, throwsCode } from './repo-fixtures.test-util.js';

const key = newMasterKey();

/** Splits a finished pack into its parts as a reader would, checking the trailer. */
function parsePack(k: MasterKey, bytes: Uint8Array) {
  const hlen = parseHeaderLength(bytes.subarray(bytes.length - 4), bytes.length);
  const headerStart = bytes.length - 4 - hlen;
  return { headerStart, hlen, blobs: decodePackHeader(open(k, bytes.subarray(headerStart, bytes.length - 4))) };
}

const arbPayloads = fc.array(
  fc.record({ payload: fc.uint8Array({ maxLength: 300 }), ulen: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 20 })) }),
  { minLength: 1, maxLength: 12 },
);

describe('PackBuilder', () => {
  for (const type of ['data', 'tree'] as const) {
    test(`${type} pack: bytes = blobs || sealed header || u32le; ID = sha256(bytes); header gives back the blobs`, () => {
      fc.assert(
        fc.property(arbPayloads, (items) => {
          const b = new PackBuilder(type);
          const sealed = items.map((it) => ({ id: sha256(it.payload), sealed: seal(key, it.payload), ulen: it.ulen }));
          let size = 0;
          for (const [i, s] of sealed.entries()) {
            b.add(s.id, s.sealed, s.ulen);
            size += s.sealed.length;
            assert.equal(b.size, size);
            assert.equal(b.count, i + 1);
          }
          const pack = b.finish(key);
          assert.equal(pack.id, sha256(pack.bytes));
          assert.equal(pack.bytes.length, expectedPackSize(pack.blobs));

          let off = 0;
          const expected = sealed.map((s) => {
            const e = { type, id: s.id, offset: off, length: s.sealed.length, uncompressedLength: s.ulen };
            off += s.sealed.length;
            return e;
          });
          assert.deepEqual(pack.blobs, expected);

          // The blobs, contiguous from offset 0, then the header.
          for (const [i, s] of sealed.entries()) {
            const e = expected[i]!;
            assertBytes(pack.bytes.subarray(e.offset, e.offset + e.length), s.sealed);
            assertBytes(open(key, pack.bytes.subarray(e.offset, e.offset + e.length)), items[i]!.payload);
          }
          const parsed = parsePack(key, pack.bytes);
          assert.equal(parsed.headerStart, off, 'the header follows the last blob directly');
          assert.deepEqual(parsed.blobs, expected);
        }),
        { numRuns: 60 },
      );
    });
  }

  test('finish resets the builder; the next pack is independent', () => {
    const b = new PackBuilder('data');
    const x = new TextEncoder().encode('first');
    const y = new TextEncoder().encode('second one');
    b.add(sha256(x), seal(key, x), 0);
    const p1 = b.finish(key);
    const p1Bytes = Buffer.from(p1.bytes); // a copy, to check the builder never writes into a finished pack
    assert.equal(b.size, 0);
    assert.equal(b.count, 0);
    b.add(sha256(y), seal(key, y), 0);
    const p2 = b.finish(key);
    assert.equal(p2.blobs.length, 1);
    assert.equal(p2.blobs[0]!.offset, 0);
    assert.equal(p2.blobs[0]!.id, sha256(y));
    assert.equal(p1.blobs.length, 1, 'the first pack keeps its blob list');
    assert.equal(p1.blobs[0]!.id, sha256(x));
    assert.notEqual(p1.id, p2.id);
    assertBytes(p1.bytes, p1Bytes, 'the first pack is untouched by the second');
    assert.equal(sha256(p1.bytes), p1.id);
  });

  test('packs larger than the initial buffer capacity come out whole', () => {
    const b = new PackBuilder('data', 64);
    const payloads = Array.from({ length: 50 }, (_, i) => new Uint8Array(100 + i).fill(i));
    for (const x of payloads) b.add(sha256(x), seal(key, x), 0);
    const pack = b.finish(key);
    assert.equal(pack.id, sha256(pack.bytes));
    assert.equal(pack.bytes.length, expectedPackSize(pack.blobs));
    const parsed = parsePack(key, pack.bytes);
    assert.deepEqual(parsed.blobs, pack.blobs);
    for (const [i, e] of pack.blobs.entries()) assertBytes(open(key, pack.bytes.subarray(e.offset, e.offset + e.length)), payloads[i]!);
  });

  test('a pack built with one key cannot have its header opened with another', () => {
    const b = new PackBuilder('tree');
    const x = new TextEncoder().encode('{"nodes":[]}\n');
    b.add(sha256(x), seal(key, x), 0);
    const pack = b.finish(key);
    throwsCode(() => parsePack(newMasterKey(), pack.bytes), 'CIPHERTEXT_VERIFICATION_FAILED');
  });

  test('the real 131-byte restic pack (format notes §5.1) has the same structure when re-made', () => {
    // restic's blob: zstd frame of "hello restic\n" (22 bytes), sealed to 54; header 73 bytes.
    const frame = Buffer.from('28b52ffd00006900' + '0068656c6c6f207265737469630a', 'hex');
    const plain = new TextEncoder().encode('hello restic\n');
    const id = sha256(plain);
    assert.equal(id.slice(0, 8), 'fbbd6919');
    const b = new PackBuilder('data');
    b.add(id, seal(key, frame), plain.length);
    const pack = b.finish(key);
    assert.equal(pack.bytes.length, 131);
    assert.deepEqual([...pack.bytes.subarray(127)], [0x49, 0, 0, 0], 'trailer: 73');
    const headerPlain = open(key, pack.bytes.subarray(54, 127));
    assert.equal(Buffer.from(headerPlain).toString('hex'), `02360000000d000000${id}`);
    assert.deepEqual(pack.blobs, [{ type: 'data', id, offset: 0, length: 54, uncompressedLength: 13 }]);
    // and the blob reads back through the normal blob path (decrypt, zstd, hash)
    assertBytes(openBlob(key, id, pack.bytes.subarray(0, 54), 13), plain);
  });
});
