import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { LocalBackend } from '../backend/index.js';
import type { BackupCounts } from '../archiver/index.js';
import { encodeLock, type Repository } from '../repo/index.js';
import { decodeTree, type Id } from '../model/index.js';
import { initTestRepo, rejectsCode, testEnv } from '../repo/repo-fixtures.test-util.js';
import { runBackup } from './backup.js';
import { startScans } from './start-scans.js';
import { pinAtimes } from '../archiver/pin-atimes.test-util.js';
import { testEnvironment } from './test-environment.test-util.js';

/** Every file below `dir` with its bytes (hex), by relative path. */
function filesBelow(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name)).toString('hex'));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

test('backup walks while its lock settles; a conflicting lock written meanwhile fails it with nothing written to the repository', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-backup-settle-'));
  const spill = join(dir, 'tmp');
  mkdirSync(spill);
  const oldTmp = process.env['TMPDIR'];
  process.env['TMPDIR'] = spill; // where the writer builds its packs (os.tmpdir())
  t.after(() => {
    if (oldTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = oldTmp;
    rmSync(dir, { recursive: true, force: true });
  });
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(src, i % 2 ? 'sub' : '', `f${i}`), `file ${i}\n`.repeat(i + 1));

  // The settle wait of the run under test: it ends once the walk has handled a file (so the
  // walk ran during it), and another process takes an exclusive lock meanwhile.
  let duringSettle: (() => Promise<void>) | undefined;
  const env = testEnv({ sleep: async () => duringSettle?.() });
  const location = join(dir, 'repo');
  const repo = await initTestRepo(new LocalBackend(location), env);
  const first = await runBackup(repo, { paths: [src], workers: 1 }, testEnvironment());

  writeFileSync(join(src, 'sub', 'f3'), 'changed\n');
  writeFileSync(join(src, 'sub', 'new'), 'new file\n'.repeat(1000));
  const before = filesBelow(location);
  let walked: Readonly<BackupCounts> | undefined;
  let sawFile!: () => void;
  const fileSeen = new Promise<void>((r) => (sawFile = r));
  let otherLock = '';
  duringSettle = async () => {
    // Only a guard against hanging if the walk did not run: which came first is what is asserted.
    const first = await Promise.race([fileSeen.then(() => 'walk'), new Promise((r) => setTimeout(r, 20_000, 'timeout'))]);
    assert.equal(first, 'walk', 'the walk ran during the settle wait');
    otherLock = await repo.saveUnpacked('lock', encodeLock({ time: new Date(), exclusive: true, hostname: 'other-host', username: 'root', pid: 77, uid: 0, gid: 0 }));
  };
  const reporter = {
    progress: (c: Readonly<BackupCounts>) => {
      walked ??= { ...c };
      sawFile();
    },
  };
  const e = await rejectsCode(runBackup(repo, { paths: [src], workers: 1, reporter }, testEnvironment()), 'REPO_LOCKED');
  assert.match(e.message, /other-host/);
  assert.ok(walked && walked.filesUnmodified + walked.filesChanged + walked.filesNew > 0);
  const after = filesBelow(location);
  assert.ok(after.delete(`locks/${otherLock}`));
  assert.deepEqual([...after.keys()], [...before.keys()], 'no file added or removed: no pack, index or snapshot, and our lock is gone');
  assert.deepEqual(after, before, 'and none changed');
  assert.deepEqual(readdirSync(spill), [], 'temp packs removed');

  // Once the other lock is gone, the same backup goes through and sees both changes.
  rmSync(join(location, 'locks', otherLock));
  duringSettle = undefined;
  const second = await runBackup(repo, { paths: [src], workers: 1 }, testEnvironment());
  assert.equal(second.parent, first.snapshotId);
  assert.deepEqual([second.filesNew, second.filesChanged, second.filesUnmodified], [1, 1, 19]);
  assert.deepEqual(readdirSync(join(location, 'locks')), []);
});

test('scans started before the repository is opened (startScans) serve the backup, which closes them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-backup-scans-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'a', 'b'), { recursive: true });
  writeFileSync(join(src, 'a', 'b', 'f'), 'f');
  const env = testEnvironment({ cwd: dir });
  const repo = await initTestRepo(new LocalBackend(join(dir, 'repo')), testEnv());
  pinAtimes(src);
  const first = await runBackup(repo, { paths: ['src'], workers: 1 }, env);
  const scans = startScans({ paths: ['src'] }, env)!;
  let taken = 0;
  const take = scans.take.bind(scans);
  scans.take = (p) => {
    const r = take(p);
    if (r) taken++;
    return r;
  };
  const second = await runBackup(repo, { paths: ['src'], workers: 1 }, env, scans);
  assert.equal(taken, 3, 'src, src/a and src/a/b came from the scans');
  // The tree of src/, not the snapshot's root: the temp folder above it changes meanwhile.
  assert.equal(await subtreeOf(repo, second.snapshotId, src), await subtreeOf(repo, first.snapshotId, src));
  assert.equal(take(Buffer.from(join(src, 'a'))), undefined, 'closed by the run');
});

/** The tree ID of the directory at absolute `path` in a snapshot. */
async function subtreeOf(repo: Repository, snapshot: Id, path: string): Promise<Id> {
  let tree = (await repo.loadSnapshot(snapshot)).tree;
  for (const name of path.split('/').filter((c) => c !== '')) {
    const node = decodeTree(await repo.loadBlob('tree', tree)).find((n) => Buffer.from(n.name).toString() === name);
    assert.ok(node?.subtree, `${name} in ${path}`);
    tree = node.subtree;
  }
  return tree;
}
