// kill -9 at random moments of a prune: each time restic check and lifeboat check pass,
// a second prune finishes the job, and the kept snapshots still restore with restic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe as show, expectExit, lifeboat, lifeboatSpawn, repoCtx, requireRestic, restic, resticInit, TempDir, type RepoCtx } from './support/run.js';
import { assertRestoresIdentical, makeSnapshots } from './support/prune-repo.js';
import { prng } from './support/prng.js';

const TRIALS = Number(process.env['LIFEBOAT_E2E_PRUNE_TRIALS'] ?? 12);


/** Names of the repository's index and pack files: what a prune changes. */
function files(repo: string): string {
  const packs = readdirSync(join(repo, 'data')).flatMap((d) => readdirSync(join(repo, 'data', d)));
  return [...readdirSync(join(repo, 'index')), ...packs].sort().join(',');
}

describe('kill -9 during prune', { timeout: 1_200_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-prune-crash-');
  let template: RepoCtx;
  let kept: string[];
  let typicalMs = 0;
  /** When the probe prune first changed the repository: kills before that test little. */
  let firstChangeMs = 0;

  before(async () => {
    requireRestic();
    template = repoCtx(tmp, 'template');
    resticInit(template);
    const ids = makeSnapshots(tmp, template, 'restic', 8, 'c');
    expectExit(lifeboat(template, ['forget', '--keep-last', '2', '--json']), 0);
    kept = ids.slice(-2);
    // How long an uninterrupted prune takes, to spread the kills over it.
    const probe = copy('probe');
    const untouched = files(probe.repo);
    const t0 = Date.now();
    const child = lifeboatSpawn(probe, ['prune', '--max-unused', '0', '--json']);
    const poll = setInterval(() => {
      if (firstChangeMs === 0 && files(probe.repo) !== untouched) firstChangeMs = Date.now() - t0;
    }, 5);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearInterval(poll);
    typicalMs = Date.now() - t0;
    assert.equal(code, 0, 'the probe prune failed');
    assert.notEqual(files(probe.repo), untouched, 'the probe prune changed nothing');
    if (firstChangeMs === 0) firstChangeMs = typicalMs * 0.8;
  });
  after(() => tmp.cleanup());

  function copy(name: string): RepoCtx {
    const ctx = { repo: tmp.join(name), passwordFile: template.passwordFile };
    cpSync(template.repo, ctx.repo, { recursive: true });
    return ctx;
  }

  test(`${TRIALS} trials: kill -9 at a random moment, then restic check, lifeboat check, a second prune`, async (t) => {
    const seed = Number(process.env['LIFEBOAT_E2E_SEED'] ?? Date.now() % 100_000);
    const rnd = prng(seed);
    const untouched = files(template.repo);
    let killed = 0;
    let killedMidway = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const ctx = copy(`trial-${trial}`);
      // A third of the kills at a random time; the others a random moment after the prune
      // has started changing the repository (seen by polling its files), within the window
      // the probe took to finish from there.
      const anywhere = trial % 3 === 0;
      const delay = Math.floor(rnd() * (anywhere ? typicalMs * 0.8 : Math.max(3, (typicalMs - firstChangeMs) * 0.25)));
      const child = lifeboatSpawn(ctx, ['prune', '--max-unused', '0', '--json']);
      let timer: NodeJS.Timeout | undefined;
      let poll: NodeJS.Timeout | undefined;
      if (anywhere) timer = setTimeout(() => child.kill('SIGKILL'), delay);
      else {
        poll = setInterval(() => {
          if (files(ctx.repo) === untouched) return;
          clearInterval(poll);
          timer = setTimeout(() => child.kill('SIGKILL'), delay);
        }, 2);
      }
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      clearInterval(poll);
      clearTimeout(timer);
      const changed = files(ctx.repo) !== untouched;
      t.diagnostic(`trial ${trial}: ${signal ?? `exit ${code}`}, ${changed ? 'changed' : 'untouched'}`);
      const what = `trial ${trial} (seed ${seed}, kill ${anywhere ? '' : 'after the first change + '}${delay} ms, ~${typicalMs} ms for a whole prune, changes from ~${firstChangeMs} ms, ${signal ?? `exit ${code}`}, repository ${changed ? 'changed' : 'untouched'})`;
      if (signal === 'SIGKILL') {
        killed++;
        if (changed) killedMidway++;
      } else assert.equal(code, 0, what);
      // Lifeboat treats the dead process's lock as stale (same host, PID gone).
      const lc = lifeboat(ctx, ['check']);
      assert.equal(lc.status, 0, `${what}: lifeboat check after the kill:\n${show(lc)}`);
      // restic 0.14 does not skip stale locks; unlock removes the dead process's lock.
      expectExit(restic(ctx, ['unlock']), 0);
      const rc = restic(ctx, ['check']);
      assert.equal(rc.status, 0, `${what}: restic check after the kill:\n${show(rc)}`);
      const second = lifeboat(ctx, ['prune', '--max-unused', '0', '--json']);
      assert.equal(second.status, 0, `${what}: second prune:\n${show(second)}`);
      const done = JSON.parse(expectExit(lifeboat(ctx, ['prune', '--max-unused', '0', '--dry-run', '--json']), 0).stdout) as { packs: Record<string, number> };
      assert.deepEqual([done.packs['repack'], done.packs['remove'], done.packs['unreferenced']], [0, 0, 0], `${what}: the second prune left work: ${JSON.stringify(done)}`);
      // Every third trial reads all data back too (the structure is checked in every one).
      if (trial % 3 === 1) {
        expectExit(restic(ctx, ['check', '--read-data']), 0);
        assertRestoresIdentical(tmp, ctx, kept[trial % 2]!, 'c');
      } else expectExit(restic(ctx, ['check']), 0);
      rmSync(ctx.repo, { recursive: true, force: true });
    }
    t.diagnostic(`${killed} of ${TRIALS} prunes killed, ${killedMidway} after changing the repository`);
    assert.ok(killed >= TRIALS / 2, `only ${killed} of ${TRIALS} prunes were killed before they finished`);
    assert.ok(killedMidway >= 2, `only ${killedMidway} kills happened after the prune had started changing the repository`);
  });
});
