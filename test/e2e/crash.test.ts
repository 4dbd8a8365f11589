// Issue #2, "done when" 5: kill -9 at any moment of a backup leaves a repository that both
// restic and Lifeboat check clean, and the next backup just works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { describe as show, expectExit, lastJson, lifeboat, lifeboatInit, lifeboatSpawn, repoCtx, requireRestic, restic, TempDir, type RepoCtx } from './support/run.js';
import { writeDataFile } from './support/data.js';
import { prng } from './support/prng.js';

const MiB = 1024 * 1024;
const TRIALS = Number(process.env['LIFEBOAT_E2E_CRASH_TRIALS'] ?? 20);
const BIG_FILES = 5;
const BIG_SIZE = 20 * MiB;
const SMALL_FILES = 1500;
/** Small packs (MiB) so that packs land on disk throughout a run, not only near its end. */
const PACK_SIZE = ['--pack-size', '4'];


function packCount(ctx: RepoCtx): number {
  let n = 0;
  for (const d of readdirSync(`${ctx.repo}/data`)) n += readdirSync(`${ctx.repo}/data/${d}`).length;
  return n;
}

/** New content for some files, so every backup has packs to write. */
function mutate(src: string, trial: number): void {
  for (let i = 0; i < 3; i++) {
    const f = (trial * 3 + i) % BIG_FILES;
    writeDataFile(`${src}/big/file${f}.bin`, BIG_SIZE, `crash big ${f} trial ${trial}`, 5);
  }
  for (let i = 0; i < 100; i++) {
    const n = (trial * 100 + i) % SMALL_FILES;
    writeFileSync(`${src}/small/${n % 10}/f${n}.txt`, `small ${n} changed in trial ${trial}\n`.repeat(50 + (n % 200)));
  }
}

describe('kill -9 during backup', { timeout: 600_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-crash-');
  const src = tmp.join('src');
  let ctx: RepoCtx;
  let typicalMs = 0;

  before(() => {
    requireRestic();
    ctx = repoCtx(tmp, 'repo');
    mkdirSync(`${src}/big`, { recursive: true });
    for (let i = 0; i < BIG_FILES; i++) writeDataFile(`${src}/big/file${i}.bin`, BIG_SIZE, `crash big ${i}`, 5);
    for (let d = 0; d < 10; d++) mkdirSync(`${src}/small/${d}`, { recursive: true });
    for (let n = 0; n < SMALL_FILES; n++) writeFileSync(`${src}/small/${n % 10}/f${n}.txt`, `small ${n}\n`.repeat(50 + (n % 200)));
    lifeboatInit(ctx);
    const t0 = Date.now();
    expectExit(lifeboat(ctx, ['backup', '--json', src]), 0);
    typicalMs = Date.now() - t0;
  });
  after(() => tmp.cleanup());

  test(`${TRIALS} trials: kill -9 at a random moment, then restic check, lifeboat check, and a new backup`, async (t) => {
    const seed = Number(process.env['LIFEBOAT_E2E_SEED'] ?? Date.now() % 1_000_000);
    const random = prng(seed);
    t.diagnostic(`seed ${seed} (LIFEBOAT_E2E_SEED=${seed} repeats these delays); first backup took ${typicalMs} ms`);
    let killed = 0;
    let killedWithPacks = 0;
    for (let trial = 1; trial <= TRIALS; trial++) {
      mutate(src, trial);
      // Between 50 ms and the duration of a whole backup of changed data (measured on the
      // last one). Every other trial aims at the last 40%, where packs, the index and the
      // snapshot are written (the writer buffers up to 64 MiB before the first pack lands).
      const span = Math.max(100, typicalMs - 50);
      const delay = Math.round(trial % 2 === 1 ? 50 + random() * span : 50 + span * (0.6 + 0.4 * random()));
      const packsBefore = packCount(ctx);
      const child = lifeboatSpawn(ctx, ['backup', '--json', ...PACK_SIZE, src]);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      child.stdout!.resume();
      child.stdin!.end();
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      clearTimeout(timer);
      const newPacks = packCount(ctx) - packsBefore;
      const what = `trial ${trial} (seed ${seed}, kill after ${delay} ms, ${signal ?? `exit ${code}`}, ${newPacks} new packs)`;
      if (signal === 'SIGKILL') {
        killed++;
        if (newPacks > 0) killedWithPacks++;
      } else assert.equal(code, 0, `${what}: the backup failed on its own: ${stderr}`);
      t.diagnostic(what);

      // Lifeboat treats the dead process's lock as stale (same host, PID gone).
      const lc = lifeboat(ctx, ['check']);
      assert.equal(lc.status, 0, `${what}: lifeboat check after the kill:\n${show(lc)}`);
      // restic 0.14 does not skip stale locks; unlock removes the dead process's lock.
      expectExit(restic(ctx, ['unlock']), 0);
      const rc = restic(ctx, ['check']);
      assert.equal(rc.status, 0, `${what}: restic check after the kill:\n${show(rc)}`);

      const t0 = Date.now();
      const b = lifeboat(ctx, ['backup', '--json', ...PACK_SIZE, src]);
      assert.equal(b.status, 0, `${what}: the next backup:\n${show(b)}`);
      typicalMs = Date.now() - t0;
      assert.deepEqual(lastJson<{ errors: unknown[] }>(b).errors, []);
      const lc2 = lifeboat(ctx, ['check']);
      assert.equal(lc2.status, 0, `${what}: lifeboat check after the next backup:\n${show(lc2)}`);
    }
    t.diagnostic(`${killed} of ${TRIALS} backups killed, ${killedWithPacks} of them after writing packs`);
    assert.ok(killed >= TRIALS / 2, `only ${killed} of ${TRIALS} backups were killed before they finished; the delays are too long`);
    assert.ok(killedWithPacks >= Math.min(2, Math.floor(TRIALS / 10)), `only ${killedWithPacks} kills happened after packs were written; the crash window is not exercised`);
    // Every byte of what survived is intact, for both tools.
    expectExit(restic(ctx, ['check', '--read-data-subset', '25%']), 0);
    expectExit(lifeboat(ctx, ['check', '--read-data']), 0);
  });
});
