// forget --prune and prune against restic 0.14: the result passes `restic check --read-data`,
// kept snapshots restore byte-identically with restic, the repository shrinks; restic-made
// repositories pruned by Lifeboat, and Lifeboat-made ones pruned by restic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { describe as show, expectExit, lifeboat, lifeboatInit, repoCtx, requireRestic, restic, resticInit, TempDir, type RepoCtx } from './support/run.js';
import { assertRestoresIdentical, dirSize, makeSnapshots, packCount } from './support/prune-repo.js';

interface PruneJson {
  dryRun: boolean;
  packs: { keep: number; repack: number; remove: number; unreferenced: number; missing: number };
  stats: { usedBytes: number; unusedBytes: number; unusedAfter: number; deletedBytes: number; repackBlobs: number };
  packsWritten: number;
}

function snapshotIds(ctx: RepoCtx): string[] {
  return (JSON.parse(expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0).stdout) as { id: string }[]).map((s) => s.id).sort();
}

describe('prune', { timeout: 900_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-prune-');
  let resticMade: RepoCtx;
  let resticIds: string[];
  let lifeboatMade: RepoCtx;
  let lifeboatIds: string[];

  before(() => {
    requireRestic();
    resticMade = repoCtx(tmp, 'restic-made');
    resticInit(resticMade);
    resticIds = makeSnapshots(tmp, resticMade, 'restic', 6, 'r');
    lifeboatMade = repoCtx(tmp, 'lifeboat-made');
    lifeboatInit(lifeboatMade);
    lifeboatIds = makeSnapshots(tmp, lifeboatMade, 'lifeboat', 6, 'l');
  });
  after(() => tmp.cleanup());

  test('dry run changes nothing and says what it would do', () => {
    const sizeBefore = dirSize(resticMade.repo);
    const r = expectExit(lifeboat(resticMade, ['forget', '--keep-last', '2', '--prune', '--dry-run', '--json']), 0);
    const out = JSON.parse(r.stdout) as { groups: { remove: unknown[] | null }[]; prune: PruneJson };
    assert.equal(out.groups[0]!.remove!.length, 4);
    assert.equal(out.prune.dryRun, true);
    assert.ok(out.prune.packs.remove + out.prune.packs.repack > 0, show(r));
    assert.equal(dirSize(resticMade.repo), sizeBefore);
    assert.equal(snapshotIds(resticMade).length, 6);
  });

  test('restic-made repository: lifeboat forget --prune, then restic check --read-data and restores', () => {
    const sizeBefore = dirSize(resticMade.repo);
    const r = expectExit(lifeboat(resticMade, ['forget', '--keep-last', '2', '--prune', '--json']), 0);
    const out = JSON.parse(r.stdout) as { prune: PruneJson };
    assert.ok(out.prune.packs.remove + out.prune.packs.repack > 0, show(r));
    const sizeAfter = dirSize(resticMade.repo);
    assert.ok(sizeAfter < sizeBefore * 0.8, `repository did not shrink enough: ${sizeBefore} -> ${sizeAfter}`);
    assert.deepEqual(snapshotIds(resticMade), resticIds.slice(-2).sort());
    expectExit(restic(resticMade, ['check', '--read-data']), 0);
    expectExit(lifeboat(resticMade, ['check', '--read-data']), 0);
    for (const id of resticIds.slice(-2)) assertRestoresIdentical(tmp, resticMade, id, 'r');
    // Within the 5% allowance, nothing is left to do.
    const again = JSON.parse(expectExit(lifeboat(resticMade, ['prune', '--json']), 0).stdout) as PruneJson;
    assert.equal(again.packs.remove + again.packs.repack + again.packs.unreferenced, 0, JSON.stringify(again));
    assert.ok(again.stats.unusedBytes <= again.stats.usedBytes * 0.05 / 0.95 + 1);
  });

  test('lifeboat-made repository: lifeboat forget, restic prune, restic check --read-data', () => {
    const ctx = repoCtx(tmp, 'lifeboat-made-copy', 'x');
    cpSync(lifeboatMade.repo, ctx.repo, { recursive: true });
    cpSync(lifeboatMade.passwordFile, ctx.passwordFile);
    expectExit(lifeboat(ctx, ['forget', '--keep-last', '3', '--json']), 0);
    expectExit(restic(ctx, ['prune']), 0);
    expectExit(restic(ctx, ['check', '--read-data']), 0);
    expectExit(lifeboat(ctx, ['check', '--read-data']), 0);
    for (const id of lifeboatIds.slice(-3)) assertRestoresIdentical(tmp, ctx, id, 'l');
  });

  test('lifeboat-made repository: --max-unused 0 repacks every partly used pack; restic agrees it is clean', () => {
    const sizeBefore = dirSize(lifeboatMade.repo);
    const packsBefore = packCount(lifeboatMade.repo);
    expectExit(lifeboat(lifeboatMade, ['forget', '--keep-last', '2', '--json']), 0);
    const out = JSON.parse(expectExit(lifeboat(lifeboatMade, ['prune', '--max-unused', '0', '--json']), 0).stdout) as PruneJson;
    assert.ok(out.packs.repack > 0 && out.packsWritten > 0 && out.stats.repackBlobs > 0, JSON.stringify(out));
    assert.equal(out.stats.unusedAfter, 0);
    assert.ok(dirSize(lifeboatMade.repo) < sizeBefore, 'repository did not shrink');
    assert.ok(packCount(lifeboatMade.repo) < packsBefore + out.packsWritten);
    expectExit(restic(lifeboatMade, ['check', '--read-data']), 0);
    expectExit(lifeboat(lifeboatMade, ['check', '--read-data']), 0);
    for (const id of lifeboatIds.slice(-2)) assertRestoresIdentical(tmp, lifeboatMade, id, 'l');
    // restic finds nothing to prune either.
    const rp = expectExit(restic(lifeboatMade, ['prune', '--max-unused', '0', '--dry-run']), 0);
    assert.match(rp.stdout, /to repack:\s+0 blobs[\s\S]*to delete:\s+0 blobs[\s\S]*unused size after prune: 0 B/, rp.stdout);
  });

  test('a pack a snapshot needs is missing: prune refuses and deletes nothing', () => {
    const ctx = repoCtx(tmp, 'broken', 'y');
    cpSync(resticMade.repo, ctx.repo, { recursive: true });
    cpSync(resticMade.passwordFile, ctx.passwordFile);
    // Remove one pack that the index lists.
    const sub = readdirSync(`${ctx.repo}/data`).find((d) => readdirSync(`${ctx.repo}/data/${d}`).length > 0)!;
    const pack = readdirSync(`${ctx.repo}/data/${sub}`)[0]!;
    rmSync(`${ctx.repo}/data/${sub}/${pack}`);
    const sizeBefore = dirSize(ctx.repo);
    const r = lifeboat(ctx, ['prune', '--max-unused', '0']);
    assert.equal(r.status, 1, show(r));
    assert.match(r.stderr, /^lifeboat: PRUNE_UNSAFE: .*nothing was deleted/);
    assert.equal(dirSize(ctx.repo), sizeBefore);
  });
});

