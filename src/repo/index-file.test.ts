import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeIndexFile, encodeIndexFile, type IndexFile } from './index-file.js';
import type { PackedBlob } from './pack.js';
import { arbDamage, arbId, arbU32, damage, onlyThrowsCodes, throwsCode } from './repo-fixtures.test-util.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

const arbIndexBlob: fc.Arbitrary<PackedBlob> = fc.record({
  type: fc.constantFrom('data' as const, 'tree' as const),
  id: arbId,
  offset: arbU32,
  length: arbU32,
  uncompressedLength: fc.oneof(fc.constant(0), arbU32),
}).map((b) => ({ ...b })); // plain objects: fast-check records have a null prototype

const arbIndexFile: fc.Arbitrary<IndexFile> = fc
  .record({
    supersedes: fc.option(fc.array(arbId, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    packs: fc.array(fc.record({ id: arbId, blobs: fc.array(arbIndexBlob, { maxLength: 6 }) }).map((p) => ({ ...p })), { maxLength: 6 }),
  })
  .map((f) => (f.supersedes === undefined ? { packs: f.packs } : { supersedes: f.supersedes, packs: f.packs }));

// The real index of the format notes (§6), first pack (the only one given with full IDs).
const REAL =
  '{"packs":[{"id":"aa3c2836529b2a5acc77793dafc21725bd60a80a95db5597515d037bc812ac2f","blobs":[' +
  '{"id":"fbbd69198637d5360353c39796181175de6311c2a61abe2fe6392c938018660f","type":"data","offset":0,"length":54,"uncompressed_length":13}]}]}\n';

describe('encodeIndexFile / decodeIndexFile', () => {
  test('round trip (fast-check)', () => {
    fc.assert(
      fc.property(arbIndexFile, (f) => {
        assert.deepEqual(decodeIndexFile(encodeIndexFile(f)), f);
      }),
      { numRuns: 300 },
    );
  });

  test('the real restic index (§6) decodes and re-encodes byte for byte, trailing newline included', () => {
    const f = decodeIndexFile(enc(REAL));
    assert.deepEqual(f, {
      packs: [
        {
          id: 'aa3c2836529b2a5acc77793dafc21725bd60a80a95db5597515d037bc812ac2f',
          blobs: [{ id: 'fbbd69198637d5360353c39796181175de6311c2a61abe2fe6392c938018660f', type: 'data', offset: 0, length: 54, uncompressedLength: 13 }],
        },
      ],
    });
    assert.equal(dec(encodeIndexFile(f)), REAL);
  });

  test('uncompressed_length is written only when > 0; field order id, type, offset, length', () => {
    fc.assert(
      fc.property(arbIndexFile, (f) => {
        const text = dec(encodeIndexFile(f));
        assert.ok(text.endsWith('}\n'));
        const json = JSON.parse(text) as { packs: { blobs: Record<string, unknown>[] }[] };
        f.packs.forEach((p, i) =>
          p.blobs.forEach((b, j) => {
            const o = json.packs[i]!.blobs[j]!;
            assert.deepEqual(Object.keys(o), b.uncompressedLength > 0 ? ['id', 'type', 'offset', 'length', 'uncompressed_length'] : ['id', 'type', 'offset', 'length']);
          }),
        );
      }),
      { numRuns: 100 },
    );
  });

  test('supersedes: written first when non-empty, omitted when empty or absent', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    assert.equal(dec(encodeIndexFile({ supersedes: [a, b], packs: [] })), `{"supersedes":["${a}","${b}"],"packs":[]}\n`);
    assert.equal(dec(encodeIndexFile({ supersedes: [], packs: [] })), '{"packs":[]}\n');
    assert.equal(dec(encodeIndexFile({ packs: [] })), '{"packs":[]}\n');
    assert.deepEqual(decodeIndexFile(enc(`{"supersedes":["${a}"],"packs":[]}`)), { supersedes: [a], packs: [] });
    assert.deepEqual(decodeIndexFile(enc('{"supersedes":null,"packs":[]}')), { packs: [] });
    assert.deepEqual(decodeIndexFile(enc('{"supersedes":[],"packs":[]}')), { supersedes: [], packs: [] });
  });

  test('the very old format (a bare array of packs) is read', () => {
    const id = 'c'.repeat(64);
    const blob = 'd'.repeat(64);
    const f = decodeIndexFile(enc(`[{"id":"${id}","blobs":[{"id":"${blob}","type":"tree","offset":10,"length":40}]}]`));
    assert.deepEqual(f, { packs: [{ id, blobs: [{ id: blob, type: 'tree', offset: 10, length: 40, uncompressedLength: 0 }] }] });
  });

  test('blobs in arbitrary order and unknown fields are accepted', () => {
    const id = 'e'.repeat(64);
    const x = '1'.repeat(64);
    const y = '2'.repeat(64);
    const f = decodeIndexFile(
      enc(`{"future":1,"packs":[{"id":"${id}","extra":true,"blobs":[{"id":"${y}","type":"data","offset":40,"length":32,"x":0},{"id":"${x}","type":"data","offset":0,"length":40}]}]}`),
    );
    assert.deepEqual(f.packs[0]!.blobs.map((b) => b.offset), [40, 0]);
  });

  const bad: [string, string][] = [
    ['not JSON', 'packs'],
    ['empty', ''],
    ['null', 'null'],
    ['a string', '"packs"'],
    ['a number', '42'],
    ['no packs', '{}'],
    ['packs null', '{"packs":null}'],
    ['packs an object', '{"packs":{}}'],
    ['pack null', '{"packs":[null]}'],
    ['pack without id', '{"packs":[{"blobs":[]}]}'],
    ['pack id upper case', `{"packs":[{"id":"${'A'.repeat(64)}","blobs":[]}]}`],
    ['pack id short', `{"packs":[{"id":"${'a'.repeat(63)}","blobs":[]}]}`],
    ['pack without blobs', `{"packs":[{"id":"${'a'.repeat(64)}"}]}`],
    ['blobs null', `{"packs":[{"id":"${'a'.repeat(64)}","blobs":null}]}`],
    ['blob type unknown', blobJson('"type":"blob","offset":0,"length":40')],
    ['blob type missing', blobJson('"offset":0,"length":40')],
    ['blob type as number', blobJson('"type":0,"offset":0,"length":40')],
    ['negative offset', blobJson('"type":"data","offset":-1,"length":40')],
    ['fractional offset', blobJson('"type":"data","offset":1.5,"length":40')],
    ['offset ≥ 2^32', blobJson('"type":"data","offset":4294967296,"length":40')],
    ['offset as string', blobJson('"type":"data","offset":"0","length":40')],
    ['length missing', blobJson('"type":"data","offset":0')],
    ['length ≥ 2^32', blobJson('"type":"data","offset":0,"length":4294967296')],
    ['uncompressed_length string', blobJson('"type":"data","offset":0,"length":40,"uncompressed_length":"13"')],
    ['uncompressed_length negative', blobJson('"type":"data","offset":0,"length":40,"uncompressed_length":-13')],
    ['blob id bad', `{"packs":[{"id":"${'a'.repeat(64)}","blobs":[{"id":"xyz","type":"data","offset":0,"length":40}]}]}`],
    ['supersedes a string', `{"supersedes":"${'a'.repeat(64)}","packs":[]}`],
    ['supersedes with a bad ID', '{"supersedes":["nope"],"packs":[]}'],
    ['invalid UTF-8 outside strings', '\xff{"packs":[]}'],
  ];
  for (const [name, text] of bad) {
    test(`invalid: ${name} → INVALID_DATA`, () => {
      const bytes = name.startsWith('invalid UTF-8') ? Uint8Array.from([0xff, ...enc('{"packs":[]}')]) : enc(text);
      throwsCode(() => decodeIndexFile(bytes), 'INVALID_DATA');
    });
  }

  test('every truncation of an encoded index (short of dropping only the newline) is INVALID_DATA', () => {
    fc.assert(
      fc.property(arbIndexFile, fc.nat(), (f, cut) => {
        const bytes = encodeIndexFile(f);
        const n = cut % (bytes.length - 1); // keeps less than the closing brace
        throwsCode(() => decodeIndexFile(bytes.subarray(0, n)), 'INVALID_DATA');
      }),
      { numRuns: 300 },
    );
  });

  test('corrupted bytes decode to something valid or INVALID_DATA, never another exception', () => {
    fc.assert(
      fc.property(arbIndexFile, arbDamage, (f, edits) => {
        const r = onlyThrowsCodes(() => decodeIndexFile(damage(encodeIndexFile(f), edits)), ['INVALID_DATA']);
        if (!(r instanceof Error)) {
          for (const p of r.packs) for (const b of p.blobs) assert.ok(b.type === 'data' || b.type === 'tree');
        }
      }),
      { numRuns: 500 },
    );
  });
});

function blobJson(fields: string): string {
  return `{"packs":[{"id":"${'a'.repeat(64)}","blobs":[{"id":"${'b'.repeat(64)}",${fields}}]}]}`;
}
