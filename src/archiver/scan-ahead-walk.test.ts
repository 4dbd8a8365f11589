import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScanAhead } from '../lib/index.js';
import { decodeTree, goTimeFromDate, type Id } from '../model/index.js';
import { RepoWriter } from '../repo/index.js';
import { initTestRepo } from '../repo/repo-fixtures.test-util.js';
import { Archiver, type BackupRequest } from './archiver.js';
import { pinAtimes } from './pin-atimes.test-util.js';
import { walkedTargets } from './target-tree.js';

test('a walk with directories scanned ahead stores the same trees as one scanning each directory itself, and takes every scan from the thread', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-scan-ahead-walk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Names on both sides of '/' in byte order ("a-b" < "a/" < "a0"), a non-UTF-8 name, an
  // excluded directory with a tree below it, a symlink to a directory, an empty directory.
  const src = join(dir, 'src');
  for (const d of ['a/x/y', 'a-b/z', 'a.b', 'a b', 'a0/deep/er/still', 'b-skip/me/not', 'empty', 'other/sub']) mkdirSync(join(src, d), { recursive: true });
  mkdirSync(Buffer.from(`${src}/caf\xe9`, 'latin1'));
  writeFileSync(Buffer.from(`${src}/caf\xe9/f`, 'latin1'), 'latin1 dir');
  for (const f of ['a/x/y/f', 'a-b/z/g', 'a0/deep/er/still/h', 'b-skip/me/not/i', 'top']) writeFileSync(join(src, f), f);
  symlinkSync(join(src, 'a'), join(src, 'link-to-a'));
  const second = join(dir, 'second');
  mkdirSync(join(second, 'sub'), { recursive: true });
  writeFileSync(join(second, 'sub', 'j'), 'j');
  // Not in byte order: the walk goes by the order given.
  const paths = [second, src];

  const repo = await initTestRepo();
  await repo.loadIndex();
  const subtreeOf = async (root: Id, path: string): Promise<Id> => {
    let tree = root;
    for (const name of path.split('/').filter((c) => c !== '')) {
      const node = decodeTree(await repo.loadBlob('tree', tree)).find((n) => Buffer.from(n.name).toString() === name);
      assert.ok(node?.subtree, `${name} in ${path}`);
      tree = node.subtree;
    }
    return tree;
  };
  const archive = async (scanAhead?: BackupRequest['scanAhead']) => {
    const writer = new RepoWriter(repo);
    const req: BackupRequest = {
      paths, excludes: ['b-skip'], hostname: 'h', username: 'u', uid: 0, gid: 0, tags: [], time: goTimeFromDate(new Date(0)),
      ...(scanAhead ? { scanAhead } : {}),
    };
    const r = await new Archiver(repo, writer, req).run();
    await writer.flush();
    return r.tree;
  };
  pinAtimes(dir);
  const own = await archive();

  const ahead = ScanAhead.start(walkedTargets(paths).map((p) => Buffer.from(p)))!;
  const taken: string[] = [];
  const skipped: string[] = [];
  const counting: BackupRequest['scanAhead'] = {
    take: (p) => {
      const r = ahead.take(p);
      if (r) taken.push(Buffer.from(p).toString('latin1').slice(dir.length));
      return r;
    },
    skip: (p) => {
      skipped.push(Buffer.from(p).toString('latin1').slice(dir.length));
      ahead.skip(p);
    },
    rootStat: (p) => ahead.rootStat(p),
  };
  try {
    // The trees below the test's folder: the temp folder above it changes meanwhile.
    assert.equal(await subtreeOf(await archive(counting), dir), await subtreeOf(own, dir), 'the same trees');
  } finally {
    ahead.close();
  }
  assert.deepEqual(skipped, ['/src/b-skip']);
  assert.deepEqual(taken, [
    '/second', '/second/sub',
    '/src', '/src/a', '/src/a/x', '/src/a/x/y', '/src/a b', '/src/a-b', '/src/a-b/z', '/src/a.b', '/src/a0', '/src/a0/deep', '/src/a0/deep/er', '/src/a0/deep/er/still',
    '/src/caf\xe9', '/src/empty', '/src/other', '/src/other/sub',
  ]);
});
