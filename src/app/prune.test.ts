import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemBackend } from '../backend/index.js';
import { encodeTree, goTimeFromDate, newNode, type Id } from '../model/index.js';
import { parseMaxUnused } from '../policy/index.js';
import { blobId, Repository, RepoWriter } from '../repo/index.js';
import { PASSWORD, initTestRepo, pseudoRandom, rejectsCode, testEnv } from '../repo/repo-fixtures.test-util.js';
import { pruneRepository, type PruneStep } from './prune.js';

/** The tree of one file made of the given blobs (flush the writer before saving a snapshot of it). */
async function treeOf(w: RepoWriter, name: string, blobs: Uint8Array[]): Promise<Id> {
  const content: Id[] = [];
  for (const b of blobs) content.push((await w.saveBlob('data', b)).id);
  return (await w.saveBlob('tree', encodeTree([newNode(name, 'file', { content, size: blobs.reduce((n, b) => n + b.length, 0) })]))).id;
}

function snapshotOf(repo: Repository, tree: Id): Promise<Id> {
  return repo.saveSnapshot({ time: goTimeFromDate(new Date('2026-01-02T03:04:05Z'), () => 0), tree, paths: ['/x'] });
}

async function count(b: MemBackend, type: 'data' | 'index'): Promise<number> {
  let n = 0;
  for await (const _ of b.list(type)) n++;
  return n;
}

test('prune: partly used pack repacked, unused removed, in restic order; kept data still loads', async () => {
  const backend = new MemBackend();
  const repo = await initTestRepo(backend);
  const w = new RepoWriter(repo, { packSize: 1 << 20 });
  const a = pseudoRandom('a', 5000);
  const b = pseudoRandom('b', 5000);
  const c = pseudoRandom('c', 5000);
  // Both snapshots' data in one data pack: forgetting one leaves it partly used.
  const t1 = await treeOf(w, 'f', [a, b]);
  const t2 = await treeOf(w, 'g', [a, c]);
  await w.flush();
  const keep = await snapshotOf(repo, t1);
  const gone = await snapshotOf(repo, t2);
  await backend.remove({ type: 'snapshot', name: gone });
  const steps: PruneStep[] = [];
  const reopen = () => Repository.open(backend, PASSWORD, testEnv());
  const fresh = await reopen();
  const report = await pruneRepository(fresh, reopen, { maxUnused: parseMaxUnused('0'), onStep: (s) => steps.push(s) });
  assert.deepEqual(steps, ['planned', 'repacked', 'indexed', 'old-index-removed', 'packs-removed']);
  assert.equal(report.packs.repack, 2, 'the data pack and the tree pack are partly used');
  assert.equal(report.stats.repackBlobs, 3, 'a, b and the kept tree are copied');
  assert.equal(await count(backend, 'index'), 1, 'old index files gone; only the new packs\' index (no pack was kept as it was)');
  const after = await reopen();
  await after.loadIndex();
  assert.equal(after.index.has(blobId(c), 'data'), false, 'the unused blob is gone');
  const snap = await after.loadSnapshot(keep);
  assert.ok(snap);
  for (const blob of [a, b]) {
    const id = blobId(blob);
    assert.deepEqual(await after.loadBlob('data', id), blob);
  }
  // A second prune has nothing left to do.
  const again = await pruneRepository(after, reopen, { maxUnused: parseMaxUnused('0') });
  assert.deepEqual([again.packs.repack, again.packs.remove, again.packs.unreferenced], [0, 0, 0]);
});

test('prune: a snapshot whose tree is not in the index aborts before anything is deleted', async () => {
  const backend = new MemBackend();
  const repo = await initTestRepo(backend);
  const w = new RepoWriter(repo);
  const t = await treeOf(w, 'f', [pseudoRandom('x', 3000)]);
  await w.flush();
  const gone = await snapshotOf(repo, t);
  await backend.remove({ type: 'snapshot', name: gone });
  await repo.saveSnapshot({ time: goTimeFromDate(new Date('2026-01-02T03:04:05Z'), () => 0), tree: 'e'.repeat(64), paths: ['/y'] });
  const [packs, indexes] = [await count(backend, 'data'), await count(backend, 'index')];
  const reopen = () => Repository.open(backend, PASSWORD, testEnv());
  const e = await rejectsCode(pruneRepository(await reopen(), reopen), 'PRUNE_UNSAFE');
  assert.match(e.message, /tree eeeeeeee .*nothing was deleted/);
  assert.deepEqual([await count(backend, 'data'), await count(backend, 'index')], [packs, indexes]);
});
