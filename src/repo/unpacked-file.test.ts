import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbDamage, assertBytes, damage, onlyThrowsCodes, throwsCode } from './repo-fixtures.test-util.js';
import { decodeUnpacked, encodeUnpacked } from './unpacked-file.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** JSON documents as index, snapshot and lock files hold them: an object or an array. */
const arbJsonDoc = fc
  .oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()))
  .map((v) => enc(JSON.stringify(v)));

describe('unpacked files', () => {
  test('v1: the plaintext is the raw JSON, and decodes to itself', () => {
    fc.assert(
      fc.property(arbJsonDoc, (json) => {
        const out = encodeUnpacked(json, 1);
        assertBytes(out, json);
        assertBytes(decodeUnpacked(out), json);
      }),
    );
  });

  test('v2: 0x02 || one zstd frame, and round trips any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(arbJsonDoc, fc.uint8Array({ maxLength: 2000 })), (json) => {
        const out = encodeUnpacked(json, 2);
        assert.equal(out[0], 0x02);
        assert.deepEqual([...out.subarray(1, 5)], ZSTD_MAGIC);
        assertBytes(decodeUnpacked(out), json);
      }),
    );
  });

  test('v2: large, compressible JSON shrinks and round trips', () => {
    const json = enc(JSON.stringify({ packs: Array.from({ length: 2000 }, (_, i) => ({ id: i.toString(16).padStart(64, '0'), blobs: [] })) }));
    const out = encodeUnpacked(json, 2);
    assert.ok(out.length < json.length / 3, `${out.length} vs ${json.length}`);
    assertBytes(decodeUnpacked(out), json);
  });

  test("raw JSON is accepted in a v2 repository too (first byte '{' or '[')", () => {
    assertBytes(decodeUnpacked(enc('{"a":1}')), enc('{"a":1}'));
    assertBytes(decodeUnpacked(enc('[1]')), enc('[1]'));
  });

  test("restic's own frame for a tiny input (format notes §2.4) decodes", () => {
    const frame = Buffer.from('28b52ffd0000690000' + Buffer.from('hello restic\n').toString('hex'), 'hex');
    assert.equal(new TextDecoder().decode(decodeUnpacked(Uint8Array.from([2, ...frame]))), 'hello restic\n');
  });

  test('a first byte other than { [ 0x02 is INVALID_DATA ("not supported encoding format")', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x7b && b !== 0x5b && b !== 0x02),
        fc.uint8Array({ maxLength: 50 }),
        (first, rest) => {
          throwsCode(() => decodeUnpacked(Uint8Array.from([first, ...rest])), 'INVALID_DATA');
        },
      ),
    );
    // some near misses: version 1 marker, whitespace before JSON, a UTF-8 BOM
    for (const b of [[0x01], [0x03], [0x20, 0x7b], [0x0a, 0x7b], [0xef, 0xbb, 0xbf, 0x7b]]) {
      throwsCode(() => decodeUnpacked(Uint8Array.from([...b, 0x7d])), 'INVALID_DATA');
    }
  });

  test('an empty plaintext is INVALID_DATA', () => {
    throwsCode(() => decodeUnpacked(new Uint8Array(0)), 'INVALID_DATA');
  });

  test('corrupted zstd after 0x02 is INVALID_DATA', () => {
    const good = encodeUnpacked(enc(JSON.stringify({ hello: 'world'.repeat(50) })), 2);
    throwsCode(() => decodeUnpacked(Uint8Array.from([2, 1, 2, 3, 4, 5, 6, 7, 8])), 'INVALID_DATA');
    throwsCode(() => decodeUnpacked(Uint8Array.from([2, ...ZSTD_MAGIC])), 'INVALID_DATA');
    const badMagic = good.slice();
    badMagic[1] ^= 0xff;
    throwsCode(() => decodeUnpacked(badMagic), 'INVALID_DATA');
    // every truncation of the frame
    for (let n = 2; n < good.length; n++) throwsCode(() => decodeUnpacked(good.subarray(0, n)), 'INVALID_DATA');
  });

  test('0x02 followed by nothing is INVALID_DATA or empty, never another exception', () => {
    const r = onlyThrowsCodes(() => decodeUnpacked(Uint8Array.from([2])), ['INVALID_DATA']);
    if (!(r instanceof Error)) assert.equal(r.length, 0);
  });

  test('random damage to a v2 file decodes to something or INVALID_DATA, never another exception', () => {
    fc.assert(
      fc.property(arbJsonDoc, arbDamage, (json, edits) => {
        onlyThrowsCodes(() => decodeUnpacked(damage(encodeUnpacked(json, 2), edits)), ['INVALID_DATA']);
      }),
      { numRuns: 500 },
    );
  });
});
