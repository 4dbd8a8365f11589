import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup, runRestore } from '../app/index.js';
import type { Environment } from '../app/environment.js';
import { initTestRepo } from '../repo/repo-fixtures.test-util.js';
import { verifyRestoredFiles } from './restored-files.js';

test('restored files are checked blob by blob; a changed, extended or missing file is named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-proof-verify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'big.bin'), randomBytes(3 * 1024 * 1024));
  writeFileSync(join(src, 'sub', 'a.txt'), 'hello');
  writeFileSync(join(src, 'empty'), '');
  writeFileSync(join(src, 'b.txt'), 'world');
  const repo = await initTestRepo();
  const env: Environment = { env: {}, cwd: '/', pid: 1, uid: 1000, gid: 1000, hostname: 'test-host', username: 'tester', stdinIsTTY: false, stderrIsTTY: false, isProcessAlive: () => true, stdin: () => (async function* () {})() };
  const b = await runBackup(repo, { paths: [src], workers: 1 }, env);
  const target = join(dir, 'target');
  await runRestore(repo, { snapshot: b.snapshotId, target, asRoot: false, workers: 1 });
  const snap = await repo.loadSnapshot(b.snapshotId);
  const ok = await verifyRestoredFiles(repo, snap.tree, target);
  assert.deepEqual([ok.files, ok.bytes, ok.mismatchCount], [4, 3 * 1024 * 1024 + 10, 0]);

  const at = (p: string) => join(target, src, p);
  const big = at('big.bin');
  const bytes = randomBytes(1);
  writeFileSync(big, bytes, { flag: 'r+' });
  writeFileSync(at('sub/a.txt'), 'hello!');
  unlinkSync(at('b.txt'));
  const bad = await verifyRestoredFiles(repo, snap.tree, target);
  assert.equal(bad.files, 4);
  assert.deepEqual([...bad.mismatched].sort(), [`${src}/b.txt`, `${src}/big.bin`, `${src}/sub/a.txt`].sort());
});
