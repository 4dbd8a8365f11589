// forget --app NAME: the app's keep: from lifeboat.yaml (flags override), only snapshots
// tagged app:NAME, applied to every location of the app, each pruned on its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe as show, expectExit, lifeboat, lifeboatEnv, repoCtx, requireRestic, restic, TempDir, type RepoCtx } from './support/run.js';

interface Outcome {
  location: string;
  result?: { removed: string[]; groups: { keep: unknown[] }[]; prune?: { packs: { remove: number; repack: number } } };
  error?: { code: string };
}

describe('forget --app', { timeout: 600_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-forget-app-');
  const cfg = tmp.join('lifeboat.yaml');
  const env = lifeboatEnv({});
  let l1: RepoCtx;
  let l2: RepoCtx;
  const run = (args: string[]) => lifeboat({}, ['-c', cfg, ...args], { env });
  const snapshots = (ctx: RepoCtx) => JSON.parse(expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0).stdout) as { id: string; tags?: string[] }[];

  before(() => {
    requireRestic();
    l1 = repoCtx(tmp, 'l1', 'same-password');
    l2 = repoCtx(tmp, 'l2', 'same-password');
    const data = tmp.join('site');
    mkdirSync(data, { recursive: true });
    writeFileSync(
      cfg,
      `locations:\n  l1: { url: ${l1.repo}, password_file: ${l1.passwordFile} }\n  l2: { url: ${l2.repo}, password_file: ${l2.passwordFile} }\n` +
        `apps:\n  site:\n    sources:\n      - files: { paths: [${data}] }\n    locations: [l1, l2]\n    keep: { last: 2 }\n`,
    );
    expectExit(run(['init', '--app', 'site']), 0);
    for (let i = 0; i < 4; i++) {
      writeFileSync(`${data}/page.html`, `version ${i}\n`.repeat(1000 + i));
      expectExit(run(['backup', '--app', 'site', '--json']), 0);
    }
    // A snapshot of something else in the same repository: not the app's, never forgotten.
    writeFileSync(tmp.join('other.txt'), 'not the app');
    expectExit(restic(l1, ['backup', tmp.join('other.txt')]), 0);
  });
  after(() => tmp.cleanup());

  test('flags override keep: (dry run, nothing removed)', () => {
    const r = expectExit(run(['forget', '--app', 'site', '--keep-last', '1', '--dry-run', '--json']), 0);
    const out = JSON.parse(r.stdout) as { app: string; locations: Outcome[] };
    assert.deepEqual(out.locations.map((l) => l.location), ['l1', 'l2']);
    for (const l of out.locations) assert.equal(l.result!.removed.length, 3, show(r));
    assert.equal(snapshots(l1).length, 5);
  });

  test("keep: from the config on every location, only the app's snapshots, then prune each", () => {
    const r = expectExit(run(['forget', '--app', 'site', '--prune', '--json']), 0);
    const out = JSON.parse(r.stdout) as { locations: Outcome[] };
    for (const l of out.locations) {
      assert.equal(l.result!.removed.length, 2, show(r));
      assert.ok(l.result!.prune, 'pruned');
    }
    const s1 = snapshots(l1);
    assert.equal(s1.filter((s) => s.tags?.includes('app:site')).length, 2);
    assert.equal(s1.filter((s) => !s.tags?.includes('app:site')).length, 1, 'the foreign snapshot survives');
    assert.equal(snapshots(l2).length, 2);
    expectExit(restic(l1, ['check', '--read-data']), 0);
    expectExit(restic(l2, ['check', '--read-data']), 0);
    const p = JSON.parse(expectExit(run(['prune', '--app', 'site', '--json']), 0).stdout) as { locations: Outcome[] };
    assert.deepEqual(p.locations.map((l) => l.location), ['l1', 'l2']);
  });

  test('an app without keep: and no flags is refused', () => {
    writeFileSync(cfg, `locations:\n  l1: { url: ${l1.repo}, password_file: ${l1.passwordFile} }\napps:\n  bare:\n    sources:\n      - files: { paths: [${tmp.path}] }\n    locations: [l1]\n`);
    const r = run(['forget', '--app', 'bare']);
    assert.equal(r.status, 1, show(r));
    assert.match(r.stderr, /FORGET_EMPTY_POLICY/);
  });
});
