import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BlobType, Id } from '../model/index.js';
import type { IndexedPack } from './index-file.js';
import { MasterIndex, type BlobLocation } from './master-index.js';
import type { PackedBlob } from './pack.js';

/**
 * The reference model: a list of (pack, blob, type) entries in insertion order, each once (the
 * first one added wins), plus the packs in the order first seen.
 */
class Model {
  readonly entries: BlobLocation[] = [];
  readonly packs: Id[] = [];

  addPack(p: IndexedPack): void {
    if (!this.packs.includes(p.id)) this.packs.push(p.id);
    for (const b of p.blobs) {
      if (this.entries.some((e) => e.packId === p.id && e.id === b.id && e.type === b.type)) continue;
      this.entries.push({ packId: p.id, type: b.type, id: b.id, offset: b.offset, length: b.length, uncompressedLength: b.uncompressedLength });
    }
  }

  all(id: Id, type?: BlobType): BlobLocation[] {
    return this.entries.filter((e) => e.id === id && (type === undefined || e.type === type));
  }

  byPack(): IndexedPack[] {
    return this.packs.map((pid) => ({
      id: pid,
      blobs: this.entries
        .filter((e) => e.packId === pid)
        .map(({ packId: _p, ...b }) => b)
        .sort((a, b) => a.offset - b.offset),
    }));
  }
}

const key = (l: BlobLocation): string => `${l.packId}/${l.id}/${l.type}/${l.offset}/${l.length}/${l.uncompressedLength}`;
const sortLocs = (ls: readonly BlobLocation[]): string[] => ls.map(key).sort();

/**
 * IDs drawn from a small pool so that blobs repeat across packs; half of them share their
 * first 4 bytes (the table's hash), to make probe chains long and collide.
 */
function idPool(seed: number, n: number): Id[] {
  const out: Id[] = [];
  for (let i = 0; i < n; i++) {
    const tail = (seed * 1000 + i).toString(16).padStart(56, '0');
    out.push(i % 2 === 0 ? `deadbeef${tail}` : `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}${tail}`);
  }
  return out;
}
const BLOB_IDS = idPool(1, 24);
const PACK_IDS = idPool(2, 8);

const arbBlob: fc.Arbitrary<PackedBlob> = fc.record({
  type: fc.constantFrom('data' as const, 'tree' as const),
  id: fc.constantFrom(...BLOB_IDS),
  offset: fc.integer({ min: 0, max: 0xffffffff }),
  length: fc.integer({ min: 32, max: 0xffffffff }),
  uncompressedLength: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
});
const arbPack: fc.Arbitrary<IndexedPack> = fc.record({ id: fc.constantFrom(...PACK_IDS), blobs: fc.array(arbBlob, { maxLength: 8 }) });
/** Packs, some of them added twice verbatim (the same index file loaded twice). */
const arbPacks = fc.array(fc.tuple(arbPack, fc.boolean()), { maxLength: 25 }).map((ps) => ps.flatMap(([p, twice]) => (twice ? [p, p] : [p])));

function checkAgainstModel(idx: MasterIndex, m: Model): void {
  assert.equal(idx.size, m.entries.length);
  assert.equal(idx.packCount, m.packs.length);
  assert.deepEqual([...idx.packs()], m.packs);
  for (const p of PACK_IDS) assert.equal(idx.hasPack(p), m.packs.includes(p));
  assert.deepEqual(sortLocs([...idx.entries()]), sortLocs(m.entries));
  assert.deepEqual(idx.byPack(), m.byPack());
  for (const id of [...BLOB_IDS, 'f'.repeat(64), `deadbeef${'0'.repeat(56)}`]) {
    assert.equal(idx.has(id), m.all(id).length > 0, `has ${id}`);
    assert.deepEqual(sortLocs(idx.lookupAll(id)), sortLocs(m.all(id)), `lookupAll ${id}`);
    for (const type of [undefined, 'data', 'tree'] as const) {
      const want = m.all(id, type);
      assert.equal(idx.has(id, type), want.length > 0, `has ${id} ${type}`);
      // "the first known location": the earliest added pair of that ID (and type)
      assert.deepEqual(idx.lookup(id, type), want[0], `lookup ${id} ${type}`);
    }
  }
}

describe('MasterIndex', () => {
  test('agrees with a Map model after random addPack calls (same blob in several packs, same pack twice)', () => {
    fc.assert(
      fc.property(arbPacks, fc.integer({ min: 1, max: 16 }), (packs, cap) => {
        const idx = new MasterIndex(cap);
        const m = new Model();
        for (const p of packs) {
          idx.addPack(p);
          m.addPack(p);
        }
        checkAgainstModel(idx, m);
      }),
      { numRuns: 200 },
    );
  });

  test('agrees with the model after every single step', () => {
    fc.assert(
      fc.property(arbPacks, (packs) => {
        const idx = new MasterIndex(2);
        const m = new Model();
        for (const p of packs) {
          idx.addPack(p);
          m.addPack(p);
          checkAgainstModel(idx, m);
        }
      }),
      { numRuns: 30 },
    );
  });

  test('an empty index knows nothing', () => {
    const idx = new MasterIndex();
    assert.equal(idx.size, 0);
    assert.equal(idx.packCount, 0);
    assert.equal(idx.has(BLOB_IDS[0]!), false);
    assert.equal(idx.lookup(BLOB_IDS[0]!), undefined);
    assert.deepEqual(idx.lookupAll(BLOB_IDS[0]!), []);
    assert.deepEqual(idx.byPack(), []);
    assert.deepEqual([...idx.entries()], []);
  });

  test('a pack with no blobs is still a known pack', () => {
    const idx = new MasterIndex();
    idx.addPack({ id: PACK_IDS[0]!, blobs: [] });
    assert.equal(idx.hasPack(PACK_IDS[0]!), true);
    assert.deepEqual(idx.byPack(), [{ id: PACK_IDS[0]!, blobs: [] }]);
    assert.equal(idx.size, 0);
  });

  test(
    'the same ID as data and as tree in one pack keeps both entries, as restic (whose index key is ID + type) does',
    {},
    () => {
      const idx = new MasterIndex();
      const id = BLOB_IDS[0]!;
      idx.addPack({
        id: PACK_IDS[0]!,
        blobs: [
          { type: 'data', id, offset: 0, length: 40, uncompressedLength: 0 },
          { type: 'tree', id, offset: 40, length: 40, uncompressedLength: 0 },
        ],
      });
      assert.equal(idx.has(id, 'data'), true);
      assert.equal(idx.has(id, 'tree'), true);
    },
  );

  test('grows far beyond its initial capacity: 50 000 entries from a capacity of 1024', () => {
    const idx = new MasterIndex(1024);
    const N = 50_000;
    const PER_PACK = 100;
    const blobId = (i: number): Id => (i * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(56, '0');
    const packId = (p: number): Id => 'p'.charCodeAt(0).toString(16) + p.toString(16).padStart(62, '0');
    for (let p = 0; p < N / PER_PACK; p++) {
      const blobs: PackedBlob[] = [];
      for (let j = 0; j < PER_PACK; j++) {
        const i = p * PER_PACK + j;
        blobs.push({ type: i % 7 === 0 ? 'tree' : 'data', id: blobId(i), offset: j * 1000, length: 1000, uncompressedLength: i % 3 === 0 ? 0 : i });
      }
      idx.addPack({ id: packId(p), blobs });
    }
    assert.equal(idx.size, N);
    assert.equal(idx.packCount, N / PER_PACK);
    for (let i = 0; i < N; i++) {
      const l = idx.lookup(blobId(i));
      assert.ok(l, `blob ${i} is found`);
      if (l.packId !== packId(Math.floor(i / PER_PACK)) || l.offset !== (i % PER_PACK) * 1000 || l.type !== (i % 7 === 0 ? 'tree' : 'data')) {
        assert.fail(`blob ${i}: wrong location ${JSON.stringify(l)}`);
      }
    }
    for (let i = N; i < N + 1000; i++) assert.equal(idx.has(blobId(i)), false);
    // Adding the same packs again changes nothing.
    idx.addPack({ id: packId(3), blobs: [{ type: 'tree', id: blobId(301), offset: 1000, length: 1000, uncompressedLength: 301 }] }); // blob 301 is a tree (301 % 7 == 0)
    assert.equal(idx.size, N);
    let n = 0;
    for (const _ of idx.entries()) n++;
    assert.equal(n, N);
  });

  test(
    'an initial capacity of 0 still works',
    {},
    () => {
      const idx = new MasterIndex(0);
      const b: PackedBlob = { type: 'data', id: BLOB_IDS[1]!, offset: 0, length: 40, uncompressedLength: 0 };
      idx.addPack({ id: PACK_IDS[1]!, blobs: [b] });
      assert.deepEqual([...idx.entries()], [{ packId: PACK_IDS[1]!, ...b }]);
    },
  );

  test('a string that is not an ID is found nowhere, and the next lookup is not confused by it', () => {
    const idx = new MasterIndex();
    const b: PackedBlob = { type: 'data', id: BLOB_IDS[0]!, offset: 0, length: 10, uncompressedLength: 0 };
    idx.addPack({ id: PACK_IDS[0]!, blobs: [b] });
    // Half a key: the shared key buffer still holds the bytes of the last valid ID.
    for (const bad of [BLOB_IDS[0]!.slice(0, 32), BLOB_IDS[0]!.slice(0, 62) + 'zz', '', 'x'.repeat(64), BLOB_IDS[0]!.toUpperCase()]) {
      assert.equal(idx.has(bad), false, bad);
      assert.equal(idx.lookup(bad), undefined, bad);
      assert.deepEqual(idx.lookupAll(bad), [], bad);
    }
    assert.equal(idx.has(BLOB_IDS[0]!), true);
    assert.throws(() => idx.blob(0, 'data', 'abc', 0, 1, 0), /invalid blob ID/);
  });
});
