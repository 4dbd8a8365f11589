// Issue #2, "done when" 1: a tree full of odd names, sizes, links, modes and times survives
// Lifeboat → restic and restic → Lifeboat exactly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe as show, expectExit, lastJson, lifeboat, lifeboatInit, repoCtx, requireRestic, restic, resticInit, TempDir } from './support/run.js';
import { FULL_ODD_TREE, makeOddTree } from './support/odd-tree.js';
import { assertSameTree, countTree } from './support/tree-compare.js';

describe('odd tree round trip', { timeout: 300_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-odd-');
  const src = tmp.join('src');

  before(() => {
    requireRestic();
    makeOddTree(src, FULL_ODD_TREE);
    const counts = countTree(src);
    // The generator really made what the test claims to cover.
    assert.ok((counts['file'] ?? 0) > FULL_ODD_TREE.crowdedFiles, JSON.stringify(counts));
    assert.equal(counts['fifo'], 2, JSON.stringify(counts));
    assert.equal(counts['symlink'], 5, JSON.stringify(counts));
    assert.ok((counts['dir'] ?? 0) > FULL_ODD_TREE.depth, JSON.stringify(counts));
  });
  after(() => tmp.cleanup());

  test('Lifeboat backs it up; restic check --read-data passes and restic restore reproduces it exactly', () => {
    const ctx = repoCtx(tmp, 'lifeboat-made');
    lifeboatInit(ctx);
    const b = expectExit(lifeboat(ctx, ['backup', '--json', src]), 0);
    const summary = lastJson<{ snapshotId: string; errors: unknown[]; totalFilesProcessed: number }>(b);
    assert.deepEqual(summary.errors, [], show(b));
    assert.match(summary.snapshotId, /^[0-9a-f]{64}$/);

    const check = expectExit(restic(ctx, ['check', '--read-data']), 0);
    assert.match(check.stdout, /no errors were found/, show(check));

    const target = tmp.join('restored-by-restic');
    const r = expectExit(restic(ctx, ['restore', summary.snapshotId, '--target', target]), 0);
    assert.doesNotMatch(r.stderr, /ignoring error|error:/i, show(r));
    // restic restores nanosecond mtimes (utimensat), so nothing less is accepted.
    assertSameTree(src, join(target, src), { mtimeToleranceNs: 0n, rootMtime: true }, 'restic restore of a Lifeboat snapshot');
    rmSync(target, { recursive: true, force: true });
    rmSync(ctx.repo, { recursive: true, force: true });
  });

  test('restic backs it up; Lifeboat restore reproduces it and Lifeboat check --read-data passes', () => {
    const ctx = repoCtx(tmp, 'restic-made');
    resticInit(ctx);
    const b = expectExit(restic(ctx, ['backup', '--json', src]), 0);
    const summary = lastJson<{ snapshot_id: string; message_type: string }>(b);
    assert.equal(summary.message_type, 'summary', show(b));

    const target = tmp.join('restored-by-lifeboat');
    const r = expectExit(lifeboat(ctx, ['restore', summary.snapshot_id, '--target', target, '--json']), 0);
    const rj = lastJson<{ errors: unknown[] }>(r);
    assert.deepEqual(rj.errors, [], show(r));
    // Node's utimes takes seconds as a double: at today's epoch (~1.7e9 s) a double has
    // ~240 ns resolution, and libuv truncates to whole microseconds: Lifeboat restores mtimes floored to the microsecond.
    assertSameTree(src, join(target, src), { mtimeToleranceNs: 999n, rootMtime: true }, 'Lifeboat restore of a restic snapshot');

    const check = expectExit(lifeboat(ctx, ['check', '--read-data', '--json']), 0);
    const report = lastJson<{ ok: boolean; errors: unknown[]; packsRead: number }>(check);
    assert.equal(report.ok, true, show(check));
    assert.ok(report.packsRead > 0, show(check));
    rmSync(target, { recursive: true, force: true });
  });
});
