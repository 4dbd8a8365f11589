import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { MemBackend, faulty, type Backend, type FaultCall } from '../backend/index.js';
import { open, type MasterKey } from '../crypto/index.js';
import type { BlobType, Id } from '../model/index.js';
import { BlobWorkerPool } from './blob-worker-pool.js';
import { Chunker } from './chunker.js';
import { decodeIndexFile, encodeIndexFile } from './index-file.js';
import { decodePackHeader, expectedPackSize, parseHeaderLength, type PackedBlob } from './pack.js';
import { assertBytes, initTestRepo, PASSWORD, pseudoRandom, rejectsCode, sha256, testEnv } from './repo-fixtures.test-util.js';
import { RepoWriter, type WriterOptions } from './repo-writer.js';
import { Repository } from './repository.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Blob {
  readonly type: BlobType;
  readonly plain: Uint8Array;
  readonly id: Id;
}

/** Incompressible data blobs and compressible tree-like blobs, all distinct. */
function makeBlobs(nData: number, nTree: number, dataSize = (i: number) => 500 + ((i * 7919) % 2500)): Blob[] {
  const out: Blob[] = [];
  for (let i = 0; i < nData; i++) {
    const plain = pseudoRandom(`data ${i}`, dataSize(i));
    out.push({ type: 'data', plain, id: sha256(plain) });
  }
  for (let i = 0; i < nTree; i++) {
    const content = (k: number) => Array.from({ length: 1 + ((i + k) % 4) }, (_, j) => `"${Buffer.from(pseudoRandom(`tree ${i} ${k} ${j}`, 32)).toString('hex')}"`).join(',');
    const plain = enc(`{"nodes":[${Array.from({ length: 1 + (i % 5) }, (_, k) => `{"name":"file-${i}-${k}","type":"file","content":[${content(k)}]}`).join(',')}]}\n`);
    out.push({ type: 'tree', plain, id: sha256(plain) });
  }
  return out;
}

/** Reads a pack file as `check --read-data` would: trailer, header, and the blob list. */
async function readPack(backend: Backend, key: MasterKey, packId: Id): Promise<{ bytes: Uint8Array; blobs: PackedBlob[] }> {
  const bytes = await backend.load({ type: 'data', name: packId });
  const hlen = parseHeaderLength(bytes.subarray(bytes.length - 4), bytes.length);
  const blobs = decodePackHeader(open(key, bytes.subarray(bytes.length - 4 - hlen, bytes.length - 4)));
  return { bytes, blobs };
}

async function listNames(backend: Backend, type: 'data' | 'index'): Promise<Id[]> {
  const out: Id[] = [];
  for await (const f of backend.list(type)) out.push(f.name);
  return out.sort();
}

/** Checks every pack against the index files: names, sizes, headers, no mixed types. */
async function checkRepository(backend: Backend): Promise<Repository> {
  const repo = await Repository.open(backend, PASSWORD, testEnv());
  await repo.loadIndex();
  const indexed = repo.index.byPack();
  assert.deepEqual(indexed.map((p) => p.id).sort(), await listNames(backend, 'data'), 'every pack is indexed, every indexed pack exists');
  for (const p of indexed) {
    const { bytes, blobs } = await readPack(backend, repo.key, p.id);
    assert.equal(sha256(bytes), p.id, 'pack name = sha256 of its bytes');
    assert.equal(bytes.length, expectedPackSize(p.blobs), 'pack size = what check expects');
    assert.deepEqual([...blobs].sort((a, b) => a.offset - b.offset), p.blobs, 'header = index entries');
    assert.equal(new Set(blobs.map((b) => b.type)).size, 1, `pack ${p.id.slice(0, 8)} mixes data and tree blobs`);
  }
  return repo;
}

async function loadsBack(repo: Repository, blobs: readonly Blob[]): Promise<void> {
  for (const b of blobs) assertBytes(await repo.loadBlob(b.type, b.id), b.plain, `${b.type} ${b.id.slice(0, 8)}`);
}

/** Runs the shared writer tests with and without a worker pool. */
function writerSuite(name: string, withPool: boolean, spill = false): void {
  describe(name, () => {
    let pools: BlobWorkerPool[] = [];
    const spillDir = spill ? mkdtempSync(join(tmpdir(), 'lifeboat-spill-')) : undefined;
    const options = (repo: Repository, o: WriterOptions = {}): WriterOptions => {
      const withSpill = spillDir ? { ...o, spillDir } : o;
      if (!withPool) return withSpill;
      const pool = new BlobWorkerPool(repo.key, 2);
      pools.push(pool);
      return { ...withSpill, pool };
    };
    after(async () => {
      if (spillDir) {
        assert.deepEqual(readdirSync(spillDir), [], 'every temp pack was removed, after failures too');
        rmSync(spillDir, { recursive: true, force: true });
      }
      await Promise.all(pools.map((p) => p.close()));
      pools = [];
    });
    /** The pool may take ownership of (detach) what it is given: hand it a copy. */
    const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

    test('saveBlob dedups: the same data twice is one blob, one pack, one index', async () => {
      const backend = new MemBackend();
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, options(repo));
      const x = pseudoRandom('x', 3000);
      const r1 = await w.saveBlob('data', copy(x));
      const r2 = await w.saveBlob('data', copy(x));
      assert.deepEqual(r1, { id: sha256(x), added: true });
      assert.deepEqual(r2, { id: sha256(x), added: false });
      assert.equal(w.has('data', sha256(x)), true);
      await w.flush();
      assert.equal(repo.index.size, 1);
      assert.equal(w.stats.dataBlobs, 1);
      assert.equal(w.stats.dataAdded, 3000);
      assert.equal(w.stats.packs, 1);
      assert.equal((await listNames(backend, 'data')).length, 1);
      assert.equal((await listNames(backend, 'index')).length, 1);
      // A later writer dedups against the repository's index and writes nothing.
      const w2 = new RepoWriter(repo, options(repo));
      assert.deepEqual(await w2.saveBlob('data', copy(x)), { id: sha256(x), added: false });
      await w2.flush();
      assert.equal((await listNames(backend, 'data')).length, 1);
      assert.equal((await listNames(backend, 'index')).length, 1, 'nothing new, no new index');
      const reopened = await checkRepository(backend);
      await loadsBack(reopened, [{ type: 'data', plain: x, id: sha256(x) }]);
    });

    test('flush writes every pack first, then one index; blobs load back; types never share a pack', async () => {
      const calls: FaultCall[] = [];
      const backend = faulty(new MemBackend(), { beforeOp: (c) => void calls.push(c) });
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, options(repo, { packSize: 8 * 1024 }));
      const blobs = makeBlobs(40, 30);
      // interleave data and tree
      const order = blobs.map((b, i) => ({ b, k: (i * 37) % blobs.length })).sort((p, q) => p.k - q.k).map((p) => p.b);
      calls.length = 0;
      for (const b of order) assert.equal((await w.saveBlob(b.type, copy(b.plain))).added, true);
      await w.flush();
      const saves = calls.filter((c) => c.op === 'save').map((c) => c.type);
      const firstIndex = saves.indexOf('index');
      assert.ok(firstIndex > 0, 'an index was written after some pack');
      assert.deepEqual(saves.slice(firstIndex), ['index'], 'exactly one index, after all packs');
      assert.ok(saves.slice(0, firstIndex).every((t) => t === 'data'));
      assert.ok(firstIndex > 2, `several packs expected, got ${firstIndex}`);
      assert.equal(w.stats.packs, firstIndex);
      assert.equal(w.stats.dataBlobs, 40);
      assert.equal(w.stats.treeBlobs, 30);
      let stored = 0;
      for (const id of await listNames(backend, 'data')) stored += (await backend.stat({ type: 'data', name: id })).size;
      assert.equal(w.stats.dataStored, stored);
      // the writer's own repository knows the blobs at once
      await loadsBack(repo, blobs);
      // and a fresh reader finds consistent packs and index
      const reopened = await checkRepository(backend);
      assert.equal(reopened.index.size, blobs.length);
      for (const b of blobs) assert.equal(reopened.index.lookup(b.id)!.type, b.type);
      await loadsBack(reopened, blobs);
      // trees are compressed, as restic does
      for (const b of blobs) if (b.type === 'tree') assert.equal(reopened.index.lookup(b.id)!.uncompressedLength, b.plain.length);
    });

    test('the pack size target is respected: each pack closes right after the blob that crosses it', async () => {
      const backend = new MemBackend();
      const repo = await initTestRepo(backend);
      const packSize = 10_000;
      const w = new RepoWriter(repo, options(repo, { packSize }));
      const blobs = makeBlobs(60, 80);
      for (const b of blobs) await w.saveBlob(b.type, copy(b.plain));
      await w.flush();
      const reopened = await checkRepository(backend);
      const packs = reopened.index.byPack();
      for (const type of ['data', 'tree'] as const) {
        const ofType = packs.filter((p) => p.blobs[0]!.type === type);
        assert.ok(ofType.length >= 2, `${type}: several packs (${ofType.length})`);
        let under = 0;
        for (const p of ofType) {
          const sum = p.blobs.reduce((s, b) => s + b.length, 0);
          const last = p.blobs[p.blobs.length - 1]!;
          assert.ok(sum - last.length < packSize, `${type} pack went on after crossing the target: ${sum - last.length} before its last blob`);
          if (sum < packSize) under++;
        }
        assert.ok(under <= 1, `${type}: only the final pack may be under the target (${under})`);
      }
    });

    test('a corrupted pack byte makes loadBlob fail with CIPHERTEXT_VERIFICATION_FAILED', async () => {
      const backend = new MemBackend();
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, options(repo));
      const blobs = makeBlobs(3, 2);
      for (const b of blobs) await w.saveBlob(b.type, copy(b.plain));
      await w.flush();
      for (const target of [blobs[1]!, blobs[3]!]) {
        const loc = repo.index.lookup(target.id)!;
        const bytes = await backend.load({ type: 'data', name: loc.packId });
        bytes[loc.offset + 20]! ^= 0x40; // inside the ciphertext
        await backend.save({ type: 'data', name: loc.packId }, bytes);
      }
      const reader = await Repository.open(backend, PASSWORD, testEnv());
      await reader.loadIndex();
      await rejectsCode(reader.loadBlob('data', blobs[1]!.id), 'CIPHERTEXT_VERIFICATION_FAILED');
      await rejectsCode(reader.loadBlob('tree', blobs[3]!.id), 'CIPHERTEXT_VERIFICATION_FAILED');
      // neighbours in the same packs are intact
      await loadsBack(reader, [blobs[0]!, blobs[2]!, blobs[4]!]);
    });

    test('an index entry pointing at another blob makes loadBlob fail with HASH_MISMATCH', async () => {
      const backend = new MemBackend();
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, options(repo));
      const [a, b] = makeBlobs(2, 0);
      await w.saveBlob('data', copy(a!.plain));
      await w.saveBlob('data', copy(b!.plain));
      await w.flush();
      // swap the two IDs in the index: each entry now points at the other blob's (valid) bytes
      const [indexId] = await listNames(backend, 'index');
      const file = decodeIndexFile(await repo.loadUnpacked('index', indexId!));
      const swap = (id: Id): Id => (id === a!.id ? b!.id : id === b!.id ? a!.id : id);
      const swapped = { packs: file.packs.map((p) => ({ id: p.id, blobs: p.blobs.map((x) => ({ ...x, id: swap(x.id) })) })) };
      await repo.saveUnpacked('index', encodeIndexFile(swapped));
      await backend.remove({ type: 'index', name: indexId! });
      const reader = await Repository.open(backend, PASSWORD, testEnv());
      await reader.loadIndex();
      await rejectsCode(reader.loadBlob('data', a!.id), 'HASH_MISMATCH');
      await rejectsCode(reader.loadBlob('data', b!.id), 'HASH_MISMATCH');
    });

    test('a blob stored in two packs still loads when one of them is damaged', async () => {
      const backend = new MemBackend();
      const r1 = await initTestRepo(backend);
      const r2 = await Repository.open(backend, PASSWORD, testEnv()); // index not loaded: writes the blob again
      const [x] = makeBlobs(1, 0);
      for (const r of [r1, r2]) {
        const w = new RepoWriter(r, options(r));
        await w.saveBlob('data', copy(x!.plain));
        await w.flush();
      }
      const reader = await Repository.open(backend, PASSWORD, testEnv());
      await reader.loadIndex();
      const locs = reader.index.lookupAll(x!.id);
      assert.equal(locs.length, 2);
      const bytes = await backend.load({ type: 'data', name: locs[0]!.packId });
      bytes[locs[0]!.offset + 20]! ^= 1;
      await backend.save({ type: 'data', name: locs[0]!.packId }, bytes);
      assertBytes(await reader.loadBlob('data', x!.id), x!.plain);
    });

    test('a failing pack upload makes flush reject, and no index file is written', async () => {
      const backend = faulty(new MemBackend(), { faults: [{ op: 'save', type: 'data', nth: 1 }] });
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, options(repo));
      for (const b of makeBlobs(5, 3)) await w.saveBlob(b.type, copy(b.plain));
      await rejectsCode(w.flush(), 'BACKEND_IO');
      assert.deepEqual(await listNames(backend, 'index'), []);
      // the failure sticks: the writer takes no new blobs
      await rejectsCode(w.saveBlob('data', pseudoRandom('late', 100)), 'BACKEND_IO');
    });

    test('a failing upload among several packs: flush rejects, no index lists anything', async () => {
      const backend = faulty(new MemBackend(), { faults: [{ op: 'save', type: 'data', nth: 2 }] });
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, options(repo, { packSize: 4096 }));
      await rejectsCode(async () => {
        for (const b of makeBlobs(30, 0)) await w.saveBlob(b.type, copy(b.plain));
        await w.flush();
      }, 'BACKEND_IO');
      assert.deepEqual(await listNames(backend, 'index'), []);
    });
  });
}

writerSuite('RepoWriter (inline sealing)', false);
writerSuite('RepoWriter with a BlobWorkerPool', true);
writerSuite('RepoWriter with a BlobWorkerPool, packs built in temp files', true, true);

describe('RepoWriter.queueData', () => {
  let pool: BlobWorkerPool | undefined;
  let repo: Repository;
  let backend: MemBackend;
  before(async () => {
    backend = new MemBackend();
    repo = await initTestRepo(backend);
    pool = new BlobWorkerPool(repo.key, 2);
  });
  after(async () => {
    await pool?.close();
  });

  test('with a pool: returns a box whose id resolves to the SHA-256; duplicates are stored once', async () => {
    const w = new RepoWriter(repo, { pool: pool!, packSize: 6000 });
    const blobs = makeBlobs(12, 0);
    const boxes = [];
    for (const b of [...blobs, ...blobs.slice(0, 4)]) boxes.push(await w.queueData(new Uint8Array(b.plain)));
    for (const box of boxes) assert.ok(box.id instanceof Promise, 'the id is boxed, not awaited away');
    const ids = await Promise.all(boxes.map((b) => b.id));
    assert.deepEqual(ids, [...blobs, ...blobs.slice(0, 4)].map((b) => b.id));
    await w.flush();
    assert.equal(w.stats.dataBlobs, 12);
    assert.equal(repo.index.size, 12);
    await loadsBack(repo, blobs);
    // queueData of data already in the repository adds nothing
    const w2 = new RepoWriter(repo, { pool: pool! });
    const box = await w2.queueData(new Uint8Array(blobs[0]!.plain));
    assert.equal(await box.id, blobs[0]!.id);
    await w2.flush();
    assert.equal(w2.stats.dataBlobs, 0);
    assert.equal(w2.stats.packs, 0);
    const reader = await checkRepository(backend);
    await loadsBack(reader, blobs);
  });

  test('with a pool and a budget below the pack size: many blobs through queueData all finish (no lost wake-up)', async () => {
    // The last seal to finish used to wake waiters before leaving the in-flight set: a waiter
    // then saw it still running, did not close the open pack, and waited for ever.
    const w = new RepoWriter(repo, { pool: pool!, packSize: 64 * 1024, maxBytesInFlight: 8 * 1024 });
    const blobs = makeBlobs(60, 0, (i) => 3000 + ((i * 131) % 4000));
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 20_000)));
    const run = (async () => {
      const boxes = [];
      for (const b of blobs) boxes.push(await w.queueData(new Uint8Array(b.plain)));
      await Promise.all(boxes.map((x) => x.id));
      await w.flush();
      return 'done' as const;
    })();
    const res = await Promise.race([run, hung]);
    clearTimeout(timer);
    assert.equal(res, 'done');
    await loadsBack(repo, blobs);
  });

  test('without a pool: the same contract', async () => {
    const w = new RepoWriter(repo);
    const [x] = makeBlobs(1, 0, () => 5000);
    const box = await w.queueData(new Uint8Array(pseudoRandom('qd-inline', 777)));
    assert.equal(await box.id, sha256(pseudoRandom('qd-inline', 777)));
    const box2 = await w.queueData(x!.plain);
    assert.equal(await box2.id, x!.id);
    await w.flush();
    assertBytes(await repo.loadBlob('data', x!.id), x!.plain);
  });

  test('with a pool and a failing upload: flush rejects and no index is written', async () => {
    const b = faulty(new MemBackend(), { faults: [{ op: 'save', type: 'data', nth: 1 }] });
    const r = await initTestRepo(b);
    const p = new BlobWorkerPool(r.key, 2);
    try {
      const w = new RepoWriter(r, { pool: p });
      for (const x of makeBlobs(4, 0)) await w.queueData(new Uint8Array(x.plain));
      await rejectsCode(w.flush(), 'BACKEND_IO');
      assert.deepEqual(await listNames(b, 'index'), []);
    } finally {
      await p.close();
    }
  });
});

describe('RepoWriter edge cases', () => {
  test('flush with nothing new writes nothing; a second flush writes no second index', async () => {
    const backend = new MemBackend();
    const repo = await initTestRepo(backend);
    const w = new RepoWriter(repo);
    await w.flush();
    assert.deepEqual(await listNames(backend, 'index'), []);
    assert.deepEqual(await listNames(backend, 'data'), []);
    await w.saveBlob('data', pseudoRandom('once', 100));
    await w.flush();
    await w.flush();
    assert.equal((await listNames(backend, 'index')).length, 1);
    assert.equal((await listNames(backend, 'data')).length, 1);
  });

  test("compression 'off' stores data raw (no uncompressed_length) but still compresses trees; 'max' round trips", async () => {
    for (const compression of ['off', 'max', 'auto'] as const) {
      const backend = new MemBackend();
      const repo = await initTestRepo(backend);
      const w = new RepoWriter(repo, { compression });
      const text = enc('compressible '.repeat(500));
      const blobs: Blob[] = [
        { type: 'data', plain: text, id: sha256(text) },
        ...makeBlobs(2, 2),
      ];
      for (const b of blobs) await w.saveBlob(b.type, b.plain);
      await w.flush();
      const reader = await checkRepository(backend);
      await loadsBack(reader, blobs);
      const ulen = reader.index.lookup(sha256(text))!.uncompressedLength;
      assert.equal(ulen, compression === 'off' ? 0 : text.length, compression);
      for (const b of blobs.filter((x) => x.type === 'tree')) assert.equal(reader.index.lookup(b.id)!.uncompressedLength, b.plain.length);
      // random data never shrinks: stored raw whatever the mode
      assert.equal(reader.index.lookup(blobs[1]!.id)!.uncompressedLength, 0);
    }
  });

  test('an empty data blob round trips (stored raw)', async () => {
    const repo = await initTestRepo();
    const w = new RepoWriter(repo);
    await w.saveBlob('data', new Uint8Array(0));
    await w.flush();
    assert.equal(repo.index.lookup(sha256(new Uint8Array(0)))!.uncompressedLength, 0);
    assertBytes(await repo.loadBlob('data', sha256(new Uint8Array(0))), new Uint8Array(0));
  });

  test(
    'an empty tree blob round trips',
    {},
    async () => {
      const repo = await initTestRepo();
      const w = new RepoWriter(repo);
      const empty = new Uint8Array(0);
      await w.saveBlob('tree', empty);
      await w.flush();
      assertBytes(await repo.loadBlob('tree', sha256(empty)), empty);
    },
  );

  test(
    'the same bytes saved as data and as tree are both stored (restic keys blobs by ID and type)',
    {},
    async () => {
      const repo = await initTestRepo();
      const w = new RepoWriter(repo);
      const x = enc('{"nodes":[]}\n');
      assert.equal((await w.saveBlob('data', x)).added, true);
      assert.equal((await w.saveBlob('tree', x)).added, true);
      await w.flush();
      assertBytes(await repo.loadBlob('tree', sha256(x)), x);
      assertBytes(await repo.loadBlob('data', sha256(x)), x);
    },
  );

  test(
    'a maxBytesInFlight below the pack size does not hang saveBlob',
    {},
    async () => {
      const repo = await initTestRepo();
      const w = new RepoWriter(repo, { maxBytesInFlight: 1000 });
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 300)));
      const res = await Promise.race([w.saveBlob('data', pseudoRandom('big', 2000)).then(() => 'done' as const), hung]);
      clearTimeout(timer);
      assert.equal(res, 'done');
      await w.flush();
    },
  );
});

/**
 * Workers read, chunk and seal; with a spill directory they also build the packs, in temp
 * files of their own, and no temp file may outlive the writer (after a failure or abandon too).
 */
function readFilesSuite(spill: boolean, split = false): void {
describe(`RepoWriter.readFiles (workers read, chunk and seal${spill ? '; packs built by the workers in temp files' : ''}${split ? '; files from 1 MiB split across workers' : ''})`, () => {
  const POL = 0x3da3358b4dc173n;
  let pool: BlobWorkerPool | undefined;
  let dir: string;
  let spillDir: string | undefined;
  const withSpill = (o: WriterOptions): WriterOptions => ({ ...o, ...(spillDir ? { spillDir } : {}), ...(split ? { splitFilesFrom: 1024 * 1024 } : {}) });
  const noTempPacks = () => {
    if (spillDir) assert.deepEqual(readdirSync(spillDir), [], 'no temp pack is left behind');
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-readfiles-'));
    if (spill) spillDir = mkdtempSync(join(tmpdir(), 'lifeboat-spill-'));
  });
  after(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
    if (spillDir) rmSync(spillDir, { recursive: true, force: true });
  });
  /** A file to read; in the split variant it is marked changed, as only changed files are split. */
  const file = (name: string, data: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return { path: Buffer.from(p), size: data.length, ...(split ? { changed: true } : {}) };
  };
  /** restic's chunks of `data`, cut on this thread: what the worker must report. */
  const chunkIds = (data: Uint8Array): Id[] => {
    const ids: Id[] = [];
    let last = 0;
    for (const cut of new Chunker(POL).push(data)) {
      ids.push(sha256(data.subarray(last, cut)));
      last = cut;
    }
    if (last < data.length) ids.push(sha256(data.subarray(last)));
    return ids;
  };
  /** A repository on `b` and two workers with its key, closed after `fn`. */
  const withRepoAndPool = async (b: Backend, fn: (repo: Repository, pool: BlobWorkerPool) => Promise<void>): Promise<void> => {
    const repo = await initTestRepo(b);
    const p = new BlobWorkerPool(repo.key, 2);
    try {
      await fn(repo, p);
    } finally {
      await p.close();
    }
  };

  test('content IDs are restic\'s chunks, duplicates are stored once, a file that cannot be read says why', async () => {
    const repo = await initTestRepo(new MemBackend());
    pool = new BlobWorkerPool(repo.key, 2);
    const big = pseudoRandom('big', 5 * 1024 * 1024 + 123);
    const small = pseudoRandom('small', 40_000);
    const files = [file('small', small), file('same-as-small', small), file('empty', new Uint8Array(0)), { path: Buffer.from(join(dir, 'missing')), size: 10 }, file('big', big)];
    // A budget far below one chunk: reads must pause and resume, never hang.
    const w = new RepoWriter(repo, withSpill({ pool, packSize: 256 * 1024, maxBytesInFlight: 64 * 1024 }));
    const first = await w.readFiles(files.slice(0, 4), POL);
    const second = await w.readFiles(files.slice(4), POL);
    const results = [...(await first.done), ...(await second.done)];
    await w.flush();
    noTempPacks();
    const ok = (i: number) => {
      const r = results[i]!;
      if ('error' in r) assert.fail(`file ${i} failed: ${r.error.message}`);
      return r;
    };
    assert.deepEqual(ok(0), { ids: [sha256(small)], size: small.length });
    assert.deepEqual(ok(1).ids, [sha256(small)]);
    assert.deepEqual(ok(2), { ids: [], size: 0 });
    const missing = results[3]!;
    assert.ok('error' in missing && missing.error.code === 'ENOENT', 'a missing file reports ENOENT');
    const bigIds = chunkIds(big);
    assert.ok(bigIds.length > 1, 'the large file is several chunks');
    assert.deepEqual(ok(4), { ids: bigIds, size: big.length });
    assert.equal(w.stats.dataBlobs, 1 + bigIds.length, 'the duplicate small file adds no blob');
    const cuts = [...new Chunker(POL).push(big), big.length];
    for (const [i, id] of bigIds.entries()) assertBytes(await repo.loadBlob('data', id), big.subarray(i === 0 ? 0 : cuts[i - 1], cuts[i]));
    assertBytes(await repo.loadBlob('data', sha256(small)), small);
    // Read again into the same repository: every chunk is known, nothing new is stored.
    const again = new RepoWriter(repo, withSpill({ pool }));
    const r = await (await again.readFiles([files[4]!], POL)).done;
    await again.flush();
    assert.deepEqual(r, [{ ids: bigIds, size: big.length }]);
    assert.equal(again.stats.dataBlobs, 0);
    assert.equal(again.stats.packs, 0);
    noTempPacks();
  });

  test('readChangedFile: the same IDs as reading the new content whole, whatever changed (appended, overwritten, cut, inserted, nothing)', async () => {
    await withRepoAndPool(new MemBackend(), async (repo, p) => {
      const base = pseudoRandom('changed-base', 4 * 1024 * 1024 + 777);
      const w0 = new RepoWriter(repo, withSpill({ pool: p }));
      const [parentContent] = await (await w0.readFiles([file('changed', base)], POL)).done;
      await w0.flush();
      if (!parentContent || 'error' in parentContent) return assert.fail('the first read failed');
      assert.ok(parentContent.ids.length >= 3, 'the parent content is several chunks');
      const mutation = fc.oneof(
        fc.record({ append: fc.integer({ min: 0, max: 3 * 1024 * 1024 }) }),
        fc.record({ overwrite: fc.integer({ min: 0, max: base.length - 1 }), n: fc.integer({ min: 1, max: 64 }) }),
        fc.record({ cut: fc.integer({ min: 0, max: base.length }) }),
        fc.record({ insert: fc.integer({ min: 0, max: base.length }), n: fc.integer({ min: 1, max: 4096 }) }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(mutation, fc.boolean(), async (m, damagedParent) => {
          const extra = pseudoRandom(`extra ${run++}`, 'append' in m ? m.append : 'n' in m ? m.n : 0);
          let data: Uint8Array;
          if ('append' in m) data = Buffer.concat([base, extra]);
          else if ('overwrite' in m) {
            data = Buffer.from(base);
            (data as Buffer).set(extra.subarray(0, Math.min(m.n, base.length - m.overwrite)), m.overwrite);
          } else if ('cut' in m) data = base.subarray(0, m.cut);
          else data = Buffer.concat([base.subarray(0, m.insert), extra, base.subarray(m.insert)]);
          // A parent whose second chunk is not stored: reading goes on from where it is known.
          const parent = damagedParent ? [parentContent.ids[0]!, 'f'.repeat(64), ...parentContent.ids.slice(2)] : parentContent.ids;
          const f = file('changed-now', data);
          const w = new RepoWriter(repo, withSpill({ pool: p }));
          const got = await (await w.readChangedFile(f.path, f.size, parent, POL)).done;
          await w.flush();
          noTempPacks();
          assert.deepEqual(got, { ids: chunkIds(data), size: data.length });
          for (const id of new Set(chunkIds(data))) assert.ok(repo.index.has(id, 'data'), 'every chunk is stored');
        }),
        { numRuns: 12 },
      );
    });
  });

  test('a failing pack upload: flush rejects, reads still finish, no index is written', async () => {
    const b = faulty(new MemBackend(), { faults: [{ op: 'save', type: 'data', nth: 1 }] });
    await withRepoAndPool(b, async (r, p) => {
      const w = new RepoWriter(r, withSpill({ pool: p, packSize: 128 * 1024, maxBytesInFlight: 256 * 1024 }));
      const files = Array.from({ length: 6 }, (_, i) => file(`f${i}`, pseudoRandom(`fail ${i}`, 900_000)));
      const reads = [];
      try {
        for (const f of files) reads.push((await w.readFiles([f], POL)).done);
      } catch (e) {
        assert.equal((e as { code?: string }).code, 'BACKEND_IO');
      }
      await Promise.allSettled(reads);
      await rejectsCode(w.flush(), 'BACKEND_IO');
      assert.deepEqual(await listNames(b, 'index'), []);
      noTempPacks();
    });
  });

  test('abandoned while workers are still reading: no temp pack is left and no index is written', async () => {
    const b = new MemBackend();
    await withRepoAndPool(b, async (r, p) => {
      const w = new RepoWriter(r, withSpill({ pool: p, packSize: 1024 * 1024 }));
      const files = Array.from({ length: 4 }, (_, i) => file(`ab${i}`, pseudoRandom(`abandon ${i}`, 3 * 1024 * 1024)));
      const reads = [];
      for (const f of files) reads.push((await w.readFiles([f], POL)).done);
      // Some chunks are sealed by now, so the workers have packs open.
      await reads[0];
      await w.abandon();
      await Promise.allSettled(reads);
      await rejectsCode(w.flush(), 'INTERNAL');
      noTempPacks();
      assert.deepEqual(await listNames(b, 'index'), []);
    });
  });

  test('packs built by workers: each closes right after the blob that takes it past the pack size, and its header matches the index', async () => {
    const b = new MemBackend();
    await withRepoAndPool(b, async (repo, p) => {
      const packSize = 700 * 1024;
      const w = new RepoWriter(repo, withSpill({ pool: p, packSize }));
      const data = Array.from({ length: 12 }, (_, i) => pseudoRandom(`packs ${i}`, 150_000 + i * 20_000));
      const results = await Promise.all(await Promise.all(data.map(async (d, i) => (await w.readFiles([file(`pk${i}`, d)], POL)).done)));
      await w.flush();
      noTempPacks();
      const [idx] = await listNames(b, 'index');
      const packs = decodeIndexFile(await repo.loadUnpacked('index', idx!)).packs;
      assert.equal(packs.reduce((n, pk) => n + pk.blobs.length, 0), data.length);
      for (const pk of packs) {
        const { bytes, blobs } = await readPack(b, repo.key, pk.id);
        assert.equal(sha256(bytes), pk.id, 'pack name = sha256 of its bytes');
        assert.deepEqual([...blobs].sort((x, y) => x.offset - y.offset), [...pk.blobs].sort((x, y) => x.offset - y.offset), 'header = index entries');
        const sizes = [...blobs].sort((x, y) => x.offset - y.offset).map((x) => x.length);
        const beforeLast = sizes.slice(0, -1).reduce((n, x) => n + x, 0);
        assert.ok(beforeLast < packSize, `pack ${pk.id.slice(0, 8)} went on after reaching the pack size`);
      }
      for (const [i, d] of data.entries()) {
        const res = results[i]![0]!;
        if ('error' in res) assert.fail(res.error.message);
        assertBytes(await repo.loadBlob('data', res.ids[0]!), d);
      }
    });
  });
});
}

readFilesSuite(false);
readFilesSuite(true);
readFilesSuite(true, true);
