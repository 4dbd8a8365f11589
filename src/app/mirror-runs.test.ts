import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { faulty, LocalBackend, type Backend, type FaultPlan } from '../backend/index.js';
import { isLifeboatError } from '../errors/index.js';
import { Repository } from '../repo/index.js';
import { checkRepository } from '../verify/index.js';
import { runInitLocations, runLocationStatus, runMirroredBackup, runSyncLocations } from './mirror-runs.js';
import { repoEnv } from './repo-access.js';
import type { NamedBackend } from './sync-locations.js';
import { testEnvironment } from './test-environment.test-util.js';

const PW = new TextEncoder().encode('mirror test password');
let base = '';
let n = 0;
before(() => {
  base = mkdtempSync(join(tmpdir(), 'lifeboat-mirror-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

function env() {
  return testEnvironment({ env: { LIFEBOAT_STATE_DIR: join(base, 'state') } });
}

/** A source tree of a few files, some larger than a pack so that uploads take several saves. */
function sourceTree(): string {
  const dir = join(base, `src-${++n}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, 'sub', `f${i}`), randomBytes(300_000 + i));
  writeFileSync(join(dir, 'small'), 'hello');
  return dir;
}

/** Locations over local folders; `plans` wraps some in faulty for this run only. */
function locations(dirs: readonly string[], plans: Record<number, FaultPlan> = {}): NamedBackend[] {
  return dirs.map((d, i) => {
    const b: Backend = new LocalBackend(d);
    return { name: `loc${i}`, backend: plans[i] ? faulty(b, plans[i]!) : b };
  });
}

async function snapshotsOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of new LocalBackend(dir).list('snapshot')) out.push(f.name);
  return out.sort();
}

/** Every location: check --read-data passes (so no snapshot there lacks data). */
async function checkAll(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) {
    const repo = await Repository.open(new LocalBackend(d), PW, repoEnv(env()));
    const report = await checkRepository(repo, { readData: true });
    assert.ok(report.ok, `${d}: ${JSON.stringify(report.errors)}`);
  }
}

async function threeLocations(): Promise<string[]> {
  const dirs = [0, 1, 2].map((i) => join(base, `repo-${++n}-${i}`));
  const r = await runInitLocations(locations(dirs), [PW, PW, PW], env());
  assert.deepEqual(r.locations.map((l) => l.status), ['created', 'created', 'created']);
  return dirs;
}

const DOWN: FaultPlan = { faults: ['save', 'load', 'stat', 'list', 'remove'].map((op) => ({ op: op as 'save' })) };

describe('mirrored locations', () => {
  it('init gives every location the same master key and config', async () => {
    const dirs = await threeLocations();
    const repos = await Promise.all(dirs.map((d) => Repository.open(new LocalBackend(d), PW, repoEnv(env()))));
    for (const r of repos) {
      assert.equal(r.config.id, repos[0]!.config.id);
      assert.equal(r.config.chunkerPolynomial, repos[0]!.config.chunkerPolynomial);
      assert.deepEqual(r.key, repos[0]!.key);
    }
  });

  it('a location down before the backup is behind; sync brings it level', async () => {
    const dirs = await threeLocations();
    const src = sourceTree();
    const r = await runMirroredBackup(locations(dirs, { 2: DOWN }), PW, { paths: [src], workers: 1 }, env());
    assert.deepEqual(r.behind, ['loc2']);
    assert.deepEqual(await snapshotsOf(dirs[0]!), [r.summary.snapshotId]);
    assert.deepEqual(await snapshotsOf(dirs[1]!), [r.summary.snapshotId]);
    assert.deepEqual(await snapshotsOf(dirs[2]!), []);

    const before = await runLocationStatus(locations(dirs), PW, env());
    assert.deepEqual(before.map((s) => s.snapshotsBehind), [0, 0, 1]);
    assert.ok(before[2]!.bytesBehind > 1_000_000);
    assert.equal(before[0]!.latest?.id, r.summary.snapshotId);
    assert.match(before[2]!.behindSince?.reason ?? '', /injected fault/);

    const sync = await runSyncLocations(locations(dirs), PW, env());
    assert.deepEqual(sync.locations.map((l) => l.complete), [true, true, true]);
    assert.equal(sync.locations[2]!.snapshotsCopied, 1);
    for (const d of dirs) assert.deepEqual(await snapshotsOf(d), [r.summary.snapshotId]);
    await checkAll(dirs);
    const after = await runLocationStatus(locations(dirs), PW, env());
    assert.deepEqual(after.map((s) => [s.snapshotsBehind, s.bytesBehind, s.behindSince]), [[0, 0, undefined], [0, 0, undefined], [0, 0, undefined]]);
  });

  it('a location that fails mid-upload gets no snapshot; the next backup syncs it first', async () => {
    const dirs = await threeLocations();
    const src = sourceTree();
    const r = await runMirroredBackup(locations(dirs, { 1: { faults: [{ op: 'save', type: 'data', nth: 1, code: 'BACKEND_NO_SPACE' }] } }), PW, { paths: [src], workers: 1, packSize: 512 * 1024 }, env());
    assert.deepEqual(r.behind, ['loc1']);
    assert.match(r.locations[1]!.reason!, /data\/.*injected fault/);
    assert.deepEqual(await snapshotsOf(dirs[1]!), []);
    await checkAll(dirs);

    writeFileSync(join(src, 'new'), randomBytes(1000));
    const r2 = await runMirroredBackup(locations(dirs), PW, { paths: [src], workers: 1 }, env());
    assert.deepEqual(r2.behind, []);
    assert.equal(r2.sync.locations[1]!.snapshotsCopied, 1);
    const all = [r.summary.snapshotId, r2.summary.snapshotId].sort();
    for (const d of dirs) assert.deepEqual(await snapshotsOf(d), all);
    await checkAll(dirs);
  });

  it('the run fails only when no location is left', async () => {
    const dirs = await threeLocations();
    const plans = { 0: DOWN, 1: { faults: [{ op: 'save' as const, type: 'data' as const }] }, 2: { faults: [{ op: 'save' as const, type: 'data' as const, nth: 2 }] } };
    await assert.rejects(runMirroredBackup(locations(dirs, plans), PW, { paths: [sourceTree()], workers: 1, packSize: 512 * 1024 }, env()), (e: unknown) => isLifeboatError(e, 'LOCATIONS_ALL_FAILED'));
    for (const d of dirs) assert.deepEqual(await snapshotsOf(d), []);
  });

  it('init adopts an existing repository and sync copies its snapshots to the new locations', async () => {
    const dirs = [0, 1].map((i) => join(base, `adopt-${++n}-${i}`));
    const one = await runInitLocations(locations([dirs[0]!]), [PW], env());
    const r = await runMirroredBackup(locations([dirs[0]!]), PW, { paths: [sourceTree()], workers: 1 }, env());
    const both = await runInitLocations(locations(dirs), [PW, PW], env());
    assert.deepEqual(both.locations.map((l) => l.status), ['adopted', 'created']);
    assert.equal(both.repo.config.id, one.repo.config.id);
    await runSyncLocations(locations(dirs), PW, env());
    assert.deepEqual(await snapshotsOf(dirs[1]!), [r.summary.snapshotId]);
    await checkAll(dirs);
  });

  it('a location holding another repository is refused, by init and by backup', async () => {
    const dirs = [0, 1].map((i) => join(base, `other-${++n}-${i}`));
    await runInitLocations(locations([dirs[0]!]), [PW], env());
    await runInitLocations(locations([dirs[1]!]), [PW], env());
    await assert.rejects(runInitLocations(locations(dirs), [PW, PW], env()), (e: unknown) => isLifeboatError(e, 'REPO_ALREADY_EXISTS') && /another master key/.test(e.message));
    const r = await runMirroredBackup(locations(dirs), PW, { paths: [sourceTree()], workers: 1 }, env());
    assert.deepEqual(r.behind, ['loc1']);
    assert.match(r.locations[1]!.reason!, /another master key; it is not a mirror/);
  });

  it('sync replaces a copy whose size differs (a partial upload) with a verified one, and never spreads a damaged one', async () => {
    const dirs = await threeLocations();
    const r = await runMirroredBackup(locations(dirs), PW, { paths: [sourceTree()], workers: 1, packSize: 512 * 1024 }, env());
    const { readdirSync, truncateSync, readFileSync, chmodSync } = await import('node:fs');
    const sub = readdirSync(join(dirs[2]!, 'data'))[0]!;
    const pack = readdirSync(join(dirs[2]!, 'data', sub))[0]!;
    const path = join(dirs[2]!, 'data', sub, pack);
    chmodSync(path, 0o600);
    truncateSync(path, 100);
    const sync = await runSyncLocations(locations(dirs), PW, env());
    assert.deepEqual(sync.damaged?.map((d) => [d.location, d.name]), [['loc2', pack]]);
    assert.equal(readFileSync(path).length, readFileSync(join(dirs[0]!, 'data', sub, pack)).length);
    await checkAll(dirs);
    for (const d of dirs) assert.deepEqual(await snapshotsOf(d), [r.summary.snapshotId]);
  });
});
