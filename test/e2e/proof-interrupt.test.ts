import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, describe, LIFEBOAT_CLI } from './support/run.js';
import { databasesLike } from './support/proof-app.js';
import { decidimApp } from './support/decidim-app.js';

interface Drill { ok: boolean; problems: string[]; swept: { databases: string[]; directories: string[] } }

const drillsDir = (stateDir: string): string[] => (existsSync(join(stateDir, 'drills')) ? readdirSync(join(stateDir, 'drills')) : []);

/** Starts a drill and waits until it has made its scratch database (polling, no timing assumption). */
async function drillUntilScratch(app: ReturnType<typeof decidimApp>): Promise<ReturnType<typeof spawn>> {
  const env = cleanEnv({ LIFEBOAT_KDF_N: '1024', LIFEBOAT_STATE_DIR: app.stateDir, LIFEBOAT_SCRATCH_PREFIX: app.scratchPrefix, HOME: app.dir });
  const child = spawn(process.execPath, [LIFEBOAT_CLI, '-c', app.config, 'drill', '--app', 'portal'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  for (;;) {
    if (databasesLike(app.scratchPrefix).length > 0) return child;
    assert.ok(!exited, 'the drill ended before it made a scratch database');
    await sleep(20);
  }
}

test('a drill killed with -9 leaves scratch space that the next drill removes', async (t) => {
  const app = decidimApp(t);
  assert.equal(app.run(['init', '--app', 'portal']).status, 0);
  assert.equal(app.run(['backup', '--app', 'portal']).status, 0);
  const child = await drillUntilScratch(app);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const left = databasesLike(app.scratchPrefix);
  assert.equal(left.length, 1);
  assert.equal(drillsDir(app.stateDir).length, 1);

  const next = app.run(['drill', '--app', 'portal', '--json']);
  assert.equal(next.status, 0, describe(next));
  const r = app.json<Drill>(next);
  assert.deepEqual(r.swept.databases, left);
  assert.equal(r.swept.directories.length, 1);
  assert.deepEqual(databasesLike(app.scratchPrefix), []);
  assert.deepEqual(drillsDir(app.stateDir), []);
});

test('an interrupted drill (SIGINT, SIGTERM) drops its scratch database and directory before it exits', async (t) => {
  const app = decidimApp(t);
  assert.equal(app.run(['init', '--app', 'portal']).status, 0);
  assert.equal(app.run(['backup', '--app', 'portal']).status, 0);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const child = await drillUntilScratch(app);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.kill(signal);
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /removing scratch databases and directories first/);
    assert.deepEqual(databasesLike(app.scratchPrefix), [], signal);
    assert.deepEqual(drillsDir(app.stateDir), [], signal);
  }
});

test('a drill failing half-way (the restore tool dies) fails cleanly and leaves nothing behind', async (t) => {
  const app = decidimApp(t);
  assert.equal(app.run(['init', '--app', 'portal']).status, 0);
  assert.equal(app.run(['backup', '--app', 'portal']).status, 0);
  // A pg_restore that reads a little of the dump, then fails as a broken restore would.
  const bin = join(app.dir, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'pg_restore'), '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_restore (PostgreSQL) 15.20"; exit 0; fi\nhead -c 1000 >/dev/null\necho "pg_restore: error: could not execute query: simulated failure" >&2\nexit 1\n');
  chmodSync(join(bin, 'pg_restore'), 0o755);
  const env = cleanEnv({ LIFEBOAT_KDF_N: '1024', LIFEBOAT_STATE_DIR: app.stateDir, LIFEBOAT_SCRATCH_PREFIX: app.scratchPrefix, HOME: app.dir, PATH: `${bin}:${process.env['PATH']}` });
  const r = spawnSync(process.execPath, [LIFEBOAT_CLI, '-c', app.config, 'drill', '--app', 'portal', '--json'], { env, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Drill;
  assert.equal(report.ok, false);
  assert.match(report.problems.join('\n'), /pg_restore.*simulated failure/);
  assert.deepEqual(databasesLike(app.scratchPrefix), []);
  assert.deepEqual(drillsDir(app.stateDir), []);
});

test('--keep leaves the scratch copy for inspection, and the next drill removes it', async (t) => {
  const app = decidimApp(t);
  assert.equal(app.run(['init', '--app', 'portal']).status, 0);
  assert.equal(app.run(['backup', '--app', 'portal']).status, 0);
  const kept = app.run(['drill', '--app', 'portal', '--keep', '--json']);
  assert.equal(kept.status, 0, describe(kept));
  const r = app.json<{ kept: { directory: string; databases: string[] } }>(kept);
  assert.equal(r.kept.databases.length, 1);
  assert.deepEqual(databasesLike(app.scratchPrefix), [`postgres/${r.kept.databases[0]}`]);
  assert.ok(existsSync(join(r.kept.directory, 'restore', 'secrets', 'values', 'SECRET_KEY_BASE')));
  const next = app.json<Drill>(app.run(['drill', '--app', 'portal', '--json']));
  assert.deepEqual(next.swept.databases, [`postgres/${r.kept.databases[0]}`]);
  assert.deepEqual(databasesLike(app.scratchPrefix), []);
  assert.deepEqual(drillsDir(app.stateDir), []);
});
