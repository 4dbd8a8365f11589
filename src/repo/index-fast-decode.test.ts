import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { decodeIndexColumns } from '../lib/fs-native.js';
import { fastDecodeIndex, scanIndex, type DecodedIndex } from './index-fast-decode.js';
import { decodeIndexFile, decodeIndexJson, encodeIndexFile, type IndexFile, type IndexSink } from './index-file.js';
import { MasterIndex } from './master-index.js';
import { arbDamage, arbId, arbU32, damage } from './repo-fixtures.test-util.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const arbIndexFile: fc.Arbitrary<IndexFile> = fc
  .record({
    supersedes: fc.option(fc.array(arbId, { maxLength: 3 }), { nil: undefined }),
    packs: fc.array(
      fc.record({
        id: arbId,
        blobs: fc.array(
          fc.record({ type: fc.constantFrom('data' as const, 'tree' as const), id: arbId, offset: arbU32, length: arbU32, uncompressedLength: fc.oneof(fc.constant(0), arbU32) }).map((b) => ({ ...b })),
          { maxLength: 6 },
        ),
      }).map((p) => ({ ...p })),
      { maxLength: 6 },
    ),
  })
  .map((f) => (f.supersedes === undefined ? { packs: f.packs } : { supersedes: f.supersedes, packs: f.packs }));

/** What a sink is told, in order: the general decoder's calls are the reference. */
function calls(decode: (sink: IndexSink) => unknown): unknown[] {
  const out: unknown[] = [];
  let packs = 0;
  const result = decode({ pack: (id) => (out.push(['pack', id]), packs++), blob: (...a) => void out.push(['blob', ...a]) });
  return [result, ...out];
}
// Both fast decoders: the native helper's (what fastDecodeIndex uses when it is built) and
// the JavaScript one (without the helper).
const DECODERS: [string, (b: Uint8Array) => DecodedIndex | undefined][] = [['javascript', scanIndex], ['native', fastDecodeIndex]];

test('the native helper decodes index files (the build has it)', () => {
  assert.ok(decodeIndexColumns, 'native helper not built');
});

const viaFast = (bytes: Uint8Array, decode: (b: Uint8Array) => DecodedIndex | undefined = fastDecodeIndex) => {
  const d = decode(bytes);
  if (!d) return undefined;
  // The order the general decoder calls a sink in: each pack, then its blobs.
  return calls((sink) => {
    const pns = d.packIds.map((id) => sink.pack(id));
    for (let e = 0; e < d.count; e++) sink.blob(pns[d.packOf[e]!]!, d.types[e] ? 'tree' : 'data', d.keys.toString('hex', e * 32, e * 32 + 32), d.offsets[e]!, d.lengths[e]!, d.ulens[e]!);
    return d.supersedes;
  });
};
const viaJson = (bytes: Uint8Array) => calls((sink) => decodeIndexJson(bytes, sink));
const byPackOrder = (c: unknown[]) => [c[0], ...c.slice(1).filter((x) => (x as unknown[])[0] === 'pack'), ...c.slice(1).filter((x) => (x as unknown[])[0] === 'blob')];

for (const [name, decode] of DECODERS) {
test(`the ${name} fast decoder reads what Lifeboat and restic write exactly as JSON.parse does (fast-check)`, () => {
  fc.assert(
    fc.property(arbIndexFile, fc.constantFrom(0, 1, 2), (f, style) => {
      let text = new TextDecoder().decode(encodeIndexFile(f));
      // restic writes compact JSON; whitespace and key order are still JSON's to choose.
      if (style === 1) text = JSON.stringify(JSON.parse(text), null, 2);
      if (style === 2) text = JSON.stringify(JSON.parse(text), (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v));
      const bytes = enc(text);
      const fast = viaFast(bytes, decode);
      assert.ok(fast, 'not given up');
      assert.deepEqual(byPackOrder(fast), byPackOrder(viaJson(bytes)));
    }),
    { numRuns: 300 },
  );
});

test(`damaged index files: the ${name} fast decoder gives up, or reads exactly what JSON.parse reads (fast-check)`, () => {
  fc.assert(
    fc.property(arbIndexFile, arbDamage, (f, d) => {
      const bytes = damage(encodeIndexFile(f), d);
      const fast = viaFast(bytes, decode);
      if (fast === undefined) return;
      let json: unknown[] | undefined;
      try {
        json = viaJson(bytes);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'));
        assert.fail(`the fast decoder accepted what the general one refuses: ${(e as Error).message}`);
      }
      assert.deepEqual(byPackOrder(fast), byPackOrder(json));
    }),
    { numRuns: 3000 },
  );
});

const ID = 'ab'.repeat(32);
const blob = `{"id":"${ID}","type":"data","offset":1,"length":2}`;
const shapes: [string, string][] = [
  ['the old bare array', `[{"id":"${ID}","blobs":[${blob}]}]`],
  ['an unknown key', `{"packs":[{"id":"${ID}","blobs":[${blob}],"x":1}]}`],
  ['a repeated key', `{"packs":[{"id":"${ID}","blobs":[{"id":"${ID}","type":"data","offset":1,"offset":3,"length":2}]}]}`],
  ['a null', `{"packs":[{"id":"${ID}","blobs":[${blob}]}],"supersedes":null}`],
  ['an exponent', `{"packs":[{"id":"${ID}","blobs":[{"id":"${ID}","type":"data","offset":1e2,"length":2}]}]}`],
  ['an escaped key', `{"packs":[{"id":"${ID}","blobs":[{"\\u0069d":"${ID}","type":"data","offset":1,"length":2}]}]}`],
  ['upper-case hex', `{"packs":[{"id":"${ID.toUpperCase()}","blobs":[]}]}`],
  ['a number above 2^32-1', `{"packs":[{"id":"${ID}","blobs":[{"id":"${ID}","type":"data","offset":4294967296,"length":2}]}]}`],
  ['no packs', `{"supersedes":[]}`],
];
for (const [shape, text] of shapes) {
  test(`the ${name} fast decoder leaves ${shape} to the general one, which decides`, () => {
    assert.equal(decode(enc(text)), undefined);
    let general: unknown;
    try {
      general = decodeIndexFile(enc(text));
    } catch (e) {
      general = (e as Error).name;
    }
    assert.ok(general !== undefined);
  });
}
}

test('the master index loads the same blobs through the fast decoder as through JSON', () => {
  fc.assert(
    fc.property(fc.array(arbIndexFile, { minLength: 1, maxLength: 3 }), (files) => {
      const fast = new MasterIndex();
      const json = new MasterIndex();
      for (const f of files) {
        const bytes = encodeIndexFile(f);
        decodeIndexFile(bytes); // the public path goes fast
        assert.ok(fastDecodeIndex(bytes));
        const d = fastDecodeIndex(bytes)!;
        fast.addDecoded(d, d.packIds.map((id) => fast.pack(id)));
        decodeIndexJson(bytes, json);
      }
      // A file loaded twice adds nothing the second time, either way.
      const again = encodeIndexFile(files[0]!);
      const d = fastDecodeIndex(again)!;
      fast.addDecoded(d, d.packIds.map((id) => fast.pack(id)));
      decodeIndexJson(again, json);
      const all = (m: MasterIndex) => [...m.entries()].map((b) => JSON.stringify(b)).sort();
      assert.deepEqual(all(fast), all(json));
      assert.equal(fast.size, json.size);
    }),
    { numRuns: 100 },
  );
});
