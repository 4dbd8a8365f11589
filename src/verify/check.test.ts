import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalBackend, MemBackend, faulty, type Backend } from '../backend/index.js';
import { isLifeboatError } from '../errors/index.js';
import { systemClock } from '../lib/index.js';
import { encodeTree, goTimeFromDate, newNode, type Id, type Node } from '../model/index.js';
import { RepoWriter, Repository, decodeIndexFile, encodeIndexFile, openBlob, type IndexFile, type RepoEnv } from '../repo/index.js';
import { checkRepository, parseReadDataSubset, planCheck, selectPacks, type CheckProblem, type CheckReport } from './index.js';

const env: RepoEnv = {
  clock: systemClock,
  owner: { hostname: 'test', username: 'test', pid: process.pid, uid: 0, gid: 0, isProcessAlive: () => true },
};
const password = new TextEncoder().encode('correct horse');
const kdf = { N: 1024, r: 8, p: 1 };

interface Fixture {
  repo: Repository;
  backend: MemBackend;
  snapshot: Id;
  blobs: { a: Id; b1: Id; b2: Id; c: Id };
  trees: { root: Id; sub: Id; deep: Id };
}

/**
 * A repository with one snapshot:
 *   /a.txt            content [a]
 *   /sub/b.txt        content [b1, b2]
 *   /sub/deep/c.txt   content [c]
 * Every blob sits in a pack of its own (pack size 1), so damage can be aimed at one file.
 */
async function makeRepo(): Promise<Fixture> {
  const backend = new MemBackend();
  const repo = await Repository.init(backend, password, env, { kdf });
  const w = new RepoWriter(repo, { packSize: 1 });
  const data = async () => (await w.saveBlob('data', randomBytes(2000))).id;
  const a = await data();
  const b1 = await data();
  const b2 = await data();
  const c = await data();
  const tree = async (nodes: Node[]) => (await w.saveBlob('tree', encodeTree(nodes))).id;
  const deep = await tree([newNode('c.txt', 'file', { content: [c], size: 2000 })]);
  const sub = await tree([newNode('b.txt', 'file', { content: [b1, b2], size: 4000 }), newNode('deep', 'dir', { subtree: deep })]);
  const root = await tree([newNode('a.txt', 'file', { content: [a], size: 2000 }), newNode('sub', 'dir', { subtree: sub })]);
  await w.flush();
  const snapshot = await repo.saveSnapshot({ time: goTimeFromDate(new Date()), tree: root, paths: ['/data'], hostname: 'test' });
  return { repo, backend, snapshot, blobs: { a, b1, b2, c }, trees: { root, sub, deep } };
}

function packOf(repo: Repository, blob: Id): Id {
  const loc = repo.index.lookup(blob);
  assert.ok(loc, `blob ${blob} is indexed`);
  return loc.packId;
}

async function rewrite(backend: Backend, pack: Id, edit: (bytes: Uint8Array) => Uint8Array): Promise<void> {
  const bytes = await backend.load({ type: 'data', name: pack });
  await backend.save({ type: 'data', name: pack }, edit(bytes));
}

/** Rewrites every index file with `edit`; changed files are saved under their new hash. */
async function rewriteIndex(repo: Repository, edit: (f: IndexFile) => IndexFile): Promise<void> {
  for (const id of await repo.listIds('index')) {
    const file = decodeIndexFile(await repo.loadUnpacked('index', id));
    const edited = edit(file);
    if (edited === file) continue;
    await repo.saveUnpacked('index', encodeIndexFile(edited));
    await repo.backend.remove({ type: 'index', name: id });
  }
}

const kinds = (r: CheckReport) => r.errors.map((e) => e.kind).sort();
const find = (r: CheckReport, kind: CheckProblem['kind']) => r.errors.filter((e) => e.kind === kind);

describe('parseReadDataSubset', () => {
  it('accepts restic forms', () => {
    assert.deepEqual(parseReadDataSubset('1/5'), { kind: 'bucket', n: 1, t: 5 });
    assert.deepEqual(parseReadDataSubset('256/256'), { kind: 'bucket', n: 256, t: 256 });
    assert.deepEqual(parseReadDataSubset('10%'), { kind: 'percent', percent: 10 });
    assert.deepEqual(parseReadDataSubset('2.5%'), { kind: 'percent', percent: 2.5 });
    assert.deepEqual(parseReadDataSubset('100%'), { kind: 'percent', percent: 100 });
    assert.deepEqual(parseReadDataSubset('500M'), { kind: 'size', bytes: 500 * 1024 * 1024 });
    assert.deepEqual(parseReadDataSubset('2g'), { kind: 'size', bytes: 2 * 1024 ** 3 });
    assert.deepEqual(parseReadDataSubset('4096'), { kind: 'size', bytes: 4096 });
  });

  for (const bad of ['', '0/5', '6/5', '1/0', '1/257', '1/2/3', 'a/b', '0%', '101%', '-5%', 'x%', '%', '10 %', '1.5/2', '0', '12Q', '-3']) {
    it(`rejects ${JSON.stringify(bad)} with INVALID_ARGUMENT`, () => {
      assert.throws(() => parseReadDataSubset(bad), (e) => isLifeboatError(e, 'INVALID_ARGUMENT') && /read-data subset/.test(e.message));
    });
  }

  it('is validated by planCheck, which also checks concurrency', () => {
    assert.throws(() => planCheck({ readDataSubset: '3/2' }), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => planCheck({ concurrency: 0 }), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => planCheck({ concurrency: 1.5 }), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    assert.deepEqual(planCheck({}), { readData: false, subsetText: null, concurrency: 4, maxAffectedPaths: 1000 });
    assert.equal(planCheck({ readData: true }).subsetText, 'all');
    assert.equal(planCheck({ readDataSubset: '1/3' }).readData, true);
  });
});

describe('selectPacks', () => {
  const packs = Array.from({ length: 300 }, (_, i) => ({ id: createHash('sha256').update(String(i)).digest('hex'), size: 100 + i }));

  it('buckets n/t by the first byte of the ID, covering every pack exactly once over 1..t', () => {
    for (const t of [1, 2, 3, 7, 256]) {
      const seen: Id[] = [];
      for (let n = 1; n <= t; n++) {
        const sel = selectPacks(packs, { kind: 'bucket', n, t }, Math.random);
        for (const id of sel) assert.equal(parseInt(id.slice(0, 2), 16) % t, n - 1);
        seen.push(...sel);
      }
      assert.deepEqual(seen.sort(), packs.map((p) => p.id).sort());
    }
  });

  it('takes a random share of at least one pack', () => {
    let x = 0;
    const random = () => (x = (x * 9301 + 49297) % 233280) / 233280;
    const sel = selectPacks(packs, { kind: 'percent', percent: 10 }, random);
    assert.equal(sel.length, 30);
    assert.equal(new Set(sel).size, 30);
    assert.equal(selectPacks(packs.slice(0, 3), { kind: 'percent', percent: 1 }, random).length, 1);
    assert.equal(selectPacks(packs, { kind: 'percent', percent: 100 }, random).length, 300);
    assert.deepEqual(selectPacks([], { kind: 'percent', percent: 50 }, random), []);
  });

  it('turns a size into the share of the repository it amounts to', () => {
    const total = packs.reduce((s, p) => s + p.size, 0);
    assert.equal(selectPacks(packs, { kind: 'size', bytes: Math.floor(total / 4) }, () => 0.5).length, 74);
    assert.equal(selectPacks(packs, { kind: 'size', bytes: total * 2 }, () => 0.5).length, 300);
  });
});

describe('checkRepository', () => {
  it('passes a clean repository, with and without reading the data', async () => {
    const f = await makeRepo();
    const phases = new Set<string>();
    const plain = await checkRepository(f.repo, { reporter: { progress: (_d, _t, phase) => phases.add(phase) } });
    assert.deepEqual(plain.errors, []);
    assert.equal(plain.ok, true);
    assert.deepEqual(plain.hints, []);
    assert.equal(plain.snapshots, 1);
    assert.equal(plain.trees, 3);
    assert.equal(plain.packs, 7);
    assert.equal(plain.packsChecked, 7);
    assert.equal(plain.packsRead, 0);
    assert.equal(plain.readData, null);
    assert.deepEqual([...phases].sort(), ['index', 'packs', 'snapshots', 'trees']);

    const full = await checkRepository(f.repo, { readData: true, concurrency: 2 });
    assert.deepEqual(full.errors, []);
    assert.equal(full.ok, true);
    assert.equal(full.packsRead, 7);
    assert.equal(full.blobsRead, 7);
    assert.equal(full.readData, 'all');
    assert.ok(full.bytesRead > 4 * 2000);
    // Plain data: survives JSON as it is.
    assert.deepEqual(JSON.parse(JSON.stringify(full)), full);
  });

  it('runs inside the lock the caller holds', async () => {
    const f = await makeRepo();
    const r = await f.repo.withLock(true, () => checkRepository(f.repo, { readData: true }));
    assert.equal(r.ok, true);
  });

  it('finds a flipped byte only with readData, naming the pack, the blob, the snapshot and the file', async () => {
    const f = await makeRepo();
    const pack = packOf(f.repo, f.blobs.b2);
    await rewrite(f.backend, pack, (b) => {
      b[20]! ^= 0x01;
      return b;
    });

    const plain = await checkRepository(f.repo);
    assert.equal(plain.ok, true, 'plain check trusts the index for data, as restic does');

    const r = await checkRepository(f.repo, { readData: true });
    assert.equal(r.ok, false);
    assert.deepEqual(kinds(r), ['blob-corrupt', 'pack-hash']);
    for (const e of r.errors) {
      assert.equal(e.pack, pack);
      assert.deepEqual(e.blobs, [f.blobs.b2]);
      assert.deepEqual(e.affected, [{ snapshot: f.snapshot, paths: ['/sub/b.txt'] }]);
    }
    assert.match(find(r, 'pack-hash')[0]!.message, /Pack ID does not match/);
    assert.match(find(r, 'blob-corrupt')[0]!.message, new RegExp(f.blobs.b2.slice(0, 8)));
  });

  it('reports a deleted data pack with the files that need it', async () => {
    const f = await makeRepo();
    const pack = packOf(f.repo, f.blobs.c);
    await f.backend.remove({ type: 'data', name: pack });
    for (const readData of [false, true]) {
      const r = await checkRepository(f.repo, { readData });
      assert.deepEqual(kinds(r), ['pack-missing']);
      const [e] = r.errors;
      assert.equal(e!.pack, pack);
      assert.deepEqual(e!.blobs, [f.blobs.c]);
      assert.deepEqual(e!.affected, [{ snapshot: f.snapshot, paths: ['/sub/deep/c.txt'] }]);
      assert.equal(r.packsRead, readData ? 6 : 0);
    }
  });

  it('reports a deleted tree pack with the directory that needs it', async () => {
    const f = await makeRepo();
    const pack = packOf(f.repo, f.trees.deep);
    await f.backend.remove({ type: 'data', name: pack });
    const r = await checkRepository(f.repo);
    assert.deepEqual(kinds(r), ['pack-missing']);
    assert.deepEqual(r.errors[0]!.affected, [{ snapshot: f.snapshot, paths: ['/sub/deep'] }]);
    assert.equal(r.trees, 2);
    assert.ok(r.hints.some((h) => h.includes(f.trees.deep.slice(0, 8)) && /not checked/.test(h)));
  });

  it('finds a damaged tree blob in the plain check, and reports it once with readData', async () => {
    const f = await makeRepo();
    const pack = packOf(f.repo, f.trees.sub);
    await rewrite(f.backend, pack, (b) => {
      b[40]! ^= 0x10;
      return b;
    });
    const plain = await checkRepository(f.repo);
    assert.deepEqual(kinds(plain), ['blob-corrupt']);
    assert.deepEqual(plain.errors[0]!.blobs, [f.trees.sub]);
    assert.deepEqual(plain.errors[0]!.affected, [{ snapshot: f.snapshot, paths: ['/sub'] }]);
    assert.equal(plain.trees, 1, 'nothing below the damaged tree can be walked');

    const full = await checkRepository(f.repo, { readData: true });
    assert.deepEqual(kinds(full), ['blob-corrupt', 'pack-hash']);
    for (const e of full.errors) assert.deepEqual(e.affected, [{ snapshot: f.snapshot, paths: ['/sub'] }]);
  });

  it('names no affected files when every blob of a missing pack has a copy in another pack', async () => {
    const f = await makeRepo();
    // A second handle with an empty index does not deduplicate: it stores `a` again.
    const other = await Repository.open(f.backend, password, env);
    const w = new RepoWriter(other, { packSize: 1 });
    const original = await f.backend.load({ type: 'data', name: packOf(f.repo, f.blobs.a) });
    const loc = f.repo.index.lookup(f.blobs.a)!;
    await w.saveBlob('data', openBlob(f.repo.key, f.blobs.a, original.subarray(loc.offset, loc.offset + loc.length), loc.uncompressedLength));
    await w.flush();
    await f.backend.remove({ type: 'data', name: loc.packId });
    const r = await checkRepository(f.repo, { readData: true });
    assert.deepEqual(kinds(r), ['pack-missing']);
    assert.deepEqual(r.errors[0]!.blobs, [f.blobs.a]);
    assert.equal(r.errors[0]!.affected, undefined);
  });

  it('reports extra trailing bytes as a size error, and with readData that the blobs are intact', async () => {
    const f = await makeRepo();
    const pack = packOf(f.repo, f.blobs.a);
    await rewrite(f.backend, pack, (b) => Buffer.concat([b, Buffer.from('garbage')]));
    const plain = await checkRepository(f.repo);
    assert.deepEqual(kinds(plain), ['pack-size']);
    const e = plain.errors[0]!;
    assert.equal(e.pack, pack);
    assert.match(e.message, /unexpected file size: got (\d+), expected (\d+)/);
    // Not read: the blobs in it may be damaged.
    assert.deepEqual(e.affected, [{ snapshot: f.snapshot, paths: ['/a.txt'] }]);

    const full = await checkRepository(f.repo, { readData: true });
    assert.deepEqual(kinds(full), ['pack-hash', 'pack-header', 'pack-size']);
    assert.match(find(full, 'pack-hash')[0]!.message, /every indexed blob in it is intact/);
    assert.match(find(full, 'pack-header')[0]!.message, /header cannot be read/);
    // Read and verified: nothing depends on damaged data.
    for (const p of full.errors) assert.equal(p.affected, undefined);
  });

  it('reports a truncated pack without throwing', async () => {
    const f = await makeRepo();
    const pack = packOf(f.repo, f.blobs.b1);
    await rewrite(f.backend, pack, (b) => b.subarray(0, 50));
    const plain = await checkRepository(f.repo);
    assert.deepEqual(kinds(plain), ['pack-size']);
    const full = await checkRepository(f.repo, { readData: true });
    assert.deepEqual(kinds(full), ['blob-corrupt', 'pack-hash', 'pack-header', 'pack-size']);
    assert.deepEqual(find(full, 'blob-corrupt')[0]!.affected, [{ snapshot: f.snapshot, paths: ['/sub/b.txt'] }]);
  });

  it('reports a blob whose index entry was removed as missing, with the files that use it', async () => {
    const f = await makeRepo();
    await rewriteIndex(f.repo, (file) => {
      if (!file.packs.some((p) => p.blobs.some((b) => b.id === f.blobs.b1))) return file;
      return { packs: file.packs.map((p) => ({ id: p.id, blobs: p.blobs.filter((b) => b.id !== f.blobs.b1) })) };
    });
    const r = await checkRepository(f.repo);
    assert.deepEqual(kinds(r), ['blob-missing', 'pack-size']);
    const missing = find(r, 'blob-missing')[0]!;
    assert.deepEqual(missing.blobs, [f.blobs.b1]);
    assert.match(missing.message, /not in any index/);
    assert.deepEqual(missing.affected, [{ snapshot: f.snapshot, paths: ['/sub/b.txt'] }]);
  });

  it('finds two blob IDs swapped in the index only with readData', async () => {
    const backend = new MemBackend();
    const repo = await Repository.init(backend, password, env, { kdf });
    const w = new RepoWriter(repo);
    const x = (await w.saveBlob('data', randomBytes(500))).id;
    const y = (await w.saveBlob('data', randomBytes(700))).id;
    const root = (await w.saveBlob('tree', encodeTree([newNode('x', 'file', { content: [x] }), newNode('y', 'file', { content: [y] })]))).id;
    await w.flush();
    const snapshot = await repo.saveSnapshot({ time: goTimeFromDate(new Date()), tree: root, paths: ['/'] });
    await rewriteIndex(repo, (file) => ({
      packs: file.packs.map((p) => ({ id: p.id, blobs: p.blobs.map((b) => (b.id === x ? { ...b, id: y } : b.id === y ? { ...b, id: x } : b)) })),
    }));
    assert.equal((await checkRepository(repo)).ok, true);
    const r = await checkRepository(repo, { readData: true });
    assert.deepEqual(kinds(r), ['blob-corrupt', 'pack-header']);
    assert.deepEqual(find(r, 'blob-corrupt')[0]!.blobs!.sort(), [x, y].sort());
    assert.deepEqual(find(r, 'blob-corrupt')[0]!.affected, [{ snapshot, paths: ['/x', '/y'] }]);
  });

  it('reports a snapshot file whose name is not its hash', async () => {
    const f = await makeRepo();
    const bytes = await f.backend.load({ type: 'snapshot', name: f.snapshot });
    const wrongName = createHash('sha256').update('not the content').digest('hex');
    await f.backend.save({ type: 'snapshot', name: wrongName }, bytes);
    const r = await checkRepository(f.repo);
    assert.deepEqual(kinds(r), ['snapshot-invalid']);
    assert.equal(r.errors[0]!.snapshot, wrongName);
    assert.match(r.errors[0]!.message, /invalid data returned/);
    assert.equal(r.snapshots, 2);
  });

  it('reports a snapshot that does not decrypt', async () => {
    const f = await makeRepo();
    const bytes = await f.backend.load({ type: 'snapshot', name: f.snapshot });
    bytes[bytes.length - 1]! ^= 0xff;
    await f.backend.remove({ type: 'snapshot', name: f.snapshot });
    const id = createHash('sha256').update(bytes).digest('hex');
    await f.backend.save({ type: 'snapshot', name: id }, bytes);
    const r = await checkRepository(f.repo);
    assert.deepEqual(kinds(r), ['snapshot-invalid']);
    assert.equal(r.errors[0]!.snapshot, id);
  });

  it('treats an unindexed pack as a hint only', async () => {
    const f = await makeRepo();
    const orphan = randomBytes(300);
    const id = createHash('sha256').update(orphan).digest('hex');
    await f.backend.save({ type: 'data', name: id }, orphan);
    const r = await checkRepository(f.repo, { readData: true });
    assert.equal(r.ok, true);
    assert.deepEqual(r.errors, []);
    assert.equal(r.unindexedPacks, 1);
    assert.equal(r.packsRead, 7);
    assert.equal(r.hints.length, 1);
    assert.match(r.hints[0]!, new RegExp(`pack ${id.slice(0, 8)} is not referenced in any index`));
  });

  it('reports a broken index file and goes on', async () => {
    const f = await makeRepo();
    const junk = randomBytes(200);
    const junkId = createHash('sha256').update(junk).digest('hex');
    await f.backend.save({ type: 'index', name: junkId }, junk);
    const r = await checkRepository(f.repo);
    assert.deepEqual(kinds(r), ['index-invalid']);
    assert.equal(r.errors[0]!.index, junkId);
    assert.equal(r.indexFiles, 2);
    assert.equal(r.trees, 3);
  });

  it('hints at packs listed in several index files', async () => {
    const f = await makeRepo();
    const [first] = await f.repo.listIds('index');
    const file = decodeIndexFile(await f.repo.loadUnpacked('index', first!));
    await f.repo.saveUnpacked('index', encodeIndexFile({ packs: file.packs.slice(0, 1) }));
    const r = await checkRepository(f.repo);
    assert.equal(r.ok, true);
    assert.equal(r.hints.length, 1);
    assert.match(r.hints[0]!, /contained in several index files/);
  });

  it('reports invalid tree nodes and keeps walking their good siblings', async () => {
    const backend = new MemBackend();
    const repo = await Repository.init(backend, password, env, { kdf });
    const w = new RepoWriter(repo);
    const ghost = createHash('sha256').update('never stored').digest('hex');
    const good = (await w.saveBlob('tree', encodeTree([newNode('lost.txt', 'file', { content: [ghost] })]))).id;
    const bad = new TextEncoder().encode(
      `{"nodes":[{"name":"nocontent","type":"file"},{"name":"weird","type":"socketfile"},{"name":"ok","type":"dir","subtree":"${good}"},{"name":"nosub","type":"dir"}]}\n`,
    );
    const badId = (await w.saveBlob('tree', bad)).id;
    const root = (await w.saveBlob('tree', encodeTree([newNode('d', 'dir', { subtree: badId })]))).id;
    await w.flush();
    const snapshot = await repo.saveSnapshot({ time: goTimeFromDate(new Date()), tree: root, paths: ['/'] });
    const r = await checkRepository(repo, { readData: true });
    assert.deepEqual(kinds(r), ['blob-missing', 'tree-invalid']);
    const inv = find(r, 'tree-invalid')[0]!;
    assert.deepEqual(inv.blobs, [badId]);
    assert.match(inv.message, /node 0 \("nocontent"\).*content/);
    assert.match(inv.message, /node 1 \("weird"\).*type/);
    assert.match(inv.message, /node 3 \("nosub"\).*subtree/);
    assert.doesNotMatch(inv.message, /node 2/);
    assert.deepEqual(inv.affected, [{ snapshot, paths: ['/d'] }]);
    const missing = find(r, 'blob-missing')[0]!;
    assert.deepEqual(missing.blobs, [ghost]);
    assert.deepEqual(missing.affected, [{ snapshot, paths: ['/d/ok/lost.txt'] }]);
  });

  it('reports a tree blob that is not JSON', async () => {
    const backend = new MemBackend();
    const repo = await Repository.init(backend, password, env, { kdf });
    const w = new RepoWriter(repo);
    const root = (await w.saveBlob('tree', new TextEncoder().encode('not json'))).id;
    await w.flush();
    const snapshot = await repo.saveSnapshot({ time: goTimeFromDate(new Date()), tree: root, paths: ['/'] });
    const r = await checkRepository(repo);
    assert.deepEqual(kinds(r), ['tree-invalid']);
    assert.deepEqual(r.errors[0]!.affected, [{ snapshot, paths: ['/'] }]);
  });

  it('reads only the selected subset', async () => {
    const f = await makeRepo();
    const packs = [...new Set([...f.repo.index.entries()].map((e) => e.packId))];
    let total = 0;
    for (let n = 1; n <= 3; n++) {
      const r = await checkRepository(f.repo, { readDataSubset: `${n}/3` });
      assert.equal(r.ok, true);
      assert.equal(r.readData, `${n}/3`);
      assert.equal(r.packsRead, packs.filter((p) => parseInt(p.slice(0, 2), 16) % 3 === n - 1).length);
      total += r.packsRead;
    }
    assert.equal(total, 7);
    const share = await checkRepository(f.repo, { readDataSubset: '50%', random: () => 0 });
    assert.equal(share.packsRead, 3);
    await assert.rejects(checkRepository(f.repo, { readDataSubset: '2/1' }), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  });

  it('limits the paths listed per snapshot', async () => {
    const backend = new MemBackend();
    const repo = await Repository.init(backend, password, env, { kdf });
    const w = new RepoWriter(repo);
    const shared = (await w.saveBlob('data', randomBytes(100))).id;
    const nodes = Array.from({ length: 5 }, (_, i) => newNode(`f${i}`, 'file', { content: [shared] }));
    const root = (await w.saveBlob('tree', encodeTree(nodes))).id;
    await w.flush();
    await repo.saveSnapshot({ time: goTimeFromDate(new Date()), tree: root, paths: ['/'] });
    await backend.remove({ type: 'data', name: packOf(repo, shared) });
    const r = await checkRepository(repo, { maxAffectedPaths: 2 });
    const [a] = r.errors[0]!.affected!;
    assert.deepEqual(a!.paths, ['/f0', '/f1']);
    assert.equal(a!.more, 3);
  });

  it('names every snapshot that shares a damaged blob', async () => {
    const f = await makeRepo();
    const w = new RepoWriter(f.repo);
    const root2 = (await w.saveBlob('tree', encodeTree([newNode('copy', 'dir', { subtree: f.trees.deep })]))).id;
    await w.flush();
    const s2 = await f.repo.saveSnapshot({ time: goTimeFromDate(new Date()), tree: root2, paths: ['/other'] });
    await f.backend.remove({ type: 'data', name: packOf(f.repo, f.blobs.c) });
    const r = await checkRepository(f.repo);
    const affected = [...r.errors[0]!.affected!].sort((x, y) => x.snapshot.localeCompare(y.snapshot));
    const expected = [
      { snapshot: f.snapshot, paths: ['/sub/deep/c.txt'] },
      { snapshot: s2, paths: ['/copy/c.txt'] },
    ].sort((x, y) => x.snapshot.localeCompare(y.snapshot));
    assert.deepEqual(affected, expected);
  });

  it('throws backend failures that are not about the data', async () => {
    const f = await makeRepo();
    const flaky = faulty(f.backend, { faults: [{ op: 'load', type: 'data', code: 'BACKEND_IO' }] });
    const repo = await Repository.open(flaky, password, env);
    await assert.rejects(checkRepository(repo, { readData: true }), (e) => isLifeboatError(e, 'BACKEND_IO'));
  });
});

const RESTIC = '/usr/bin/restic';

describe('cross-check with restic 0.14', { skip: !existsSync(RESTIC) && 'restic is not installed' }, () => {
  function restic(repoDir: string, args: string[]) {
    const r = spawnSync(RESTIC, ['--no-cache', ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: repoDir, RESTIC_REPOSITORY: repoDir, RESTIC_PASSWORD: 'restic-test-pw' },
      encoding: 'utf8',
    });
    if (r.error) throw r.error;
    return r;
  }

  function makeResticRepo(): { dir: string; repoDir: string } {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-check-'));
    const src = join(dir, 'src');
    mkdirSync(join(src, 'nested', 'deeper'), { recursive: true });
    writeFileSync(join(src, 'hello.txt'), 'hello restic\n');
    writeFileSync(join(src, 'empty'), '');
    writeFileSync(join(src, 'nested', 'random.bin'), randomBytes(3 * 1024 * 1024));
    writeFileSync(join(src, 'nested', 'deeper', 'text.txt'), 'lifeboat '.repeat(10_000));
    const repoDir = join(dir, 'repo');
    const init = restic(repoDir, ['init']);
    assert.equal(init.status, 0, init.stderr);
    const backup = restic(repoDir, ['backup', src]);
    assert.equal(backup.status, 0, backup.stderr);
    return { dir, repoDir };
  }

  const open = (repoDir: string) => Repository.open(new LocalBackend(repoDir), new TextEncoder().encode('restic-test-pw'), env);

  it('passes a repository restic wrote, reading every pack', async () => {
    const { dir, repoDir } = makeResticRepo();
    try {
      const r = await checkRepository(await open(repoDir), { readData: true });
      assert.deepEqual(r.errors, []);
      assert.equal(r.ok, true);
      assert.equal(r.snapshots, 1);
      assert.ok(r.packsRead >= 2);
      assert.ok(r.blobsRead >= 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('agrees with restic check --read-data about a flipped byte', async () => {
    const { dir, repoDir } = makeResticRepo();
    try {
      const repo = await open(repoDir);
      await repo.loadIndex();
      const loc = [...repo.index.entries()].find((e) => e.type === 'data' && e.length > 1000)!;
      const sub = join(repoDir, 'data', loc.packId.slice(0, 2));
      assert.ok(readdirSync(sub).includes(loc.packId));
      const path = join(sub, loc.packId);
      const bytes = readFileSync(path);
      bytes[loc.offset + 100]! ^= 0x40;
      chmodSync(path, 0o600);
      writeFileSync(path, bytes);

      const ours = await checkRepository(await open(repoDir), { readData: true });
      assert.equal(ours.ok, false);
      const corrupt = find(ours, 'blob-corrupt')[0]!;
      assert.equal(corrupt.pack, loc.packId);
      assert.deepEqual(corrupt.blobs, [loc.id]);
      assert.ok(corrupt.affected?.[0]?.paths.some((p) => p.endsWith('/nested/random.bin')), JSON.stringify(corrupt.affected));

      const theirs = restic(repoDir, ['check', '--read-data']);
      assert.notEqual(theirs.status, 0);
      assert.match(theirs.stdout + theirs.stderr, new RegExp(loc.packId.slice(0, 8)));
      assert.equal((await checkRepository(await open(repoDir))).ok, true, 'without reading data, both trust the index');
      assert.equal(restic(repoDir, ['check']).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
