import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeProcessRunner } from '../../sources/process-runner.js';
import { DbClient } from './db-client.js';
import { hostTag, scratchName } from './scratch-names.js';
import { drillsDir, ScratchSpace, sweepLeftovers } from './scratch-space.js';

const P = 'lb_proof_drill_';
const runner = nodeProcessRunner({ env: process.env });
const servers = [new DbClient(runner, 'postgres', { host: '127.0.0.1', port: 5432, user: 'postgres' }), new DbClient(runner, 'mysql', { user: 'root' })];
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};
/** A pid that certainly belonged to a process that is gone. */
const deadPid = (): number => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());

function options(t: { after(fn: () => void): void }, host = 'proof-test-host') {
  const stateDir = mkdtempSync(join(tmpdir(), 'lb-proof-scratch-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  return { stateDir, prefix: P, owner: { hostTag: hostTag(host), pid: process.pid }, isProcessAlive: isAlive };
}

test('a scratch space creates unique databases on PostgreSQL and MariaDB and drops them all', async (t) => {
  const o = options(t);
  const space = new ScratchSpace(o);
  assert.ok(existsSync(space.dir));
  const names = [await space.createDatabase(servers[0]!), await space.createDatabase(servers[0]!), await space.createDatabase(servers[1]!)];
  assert.equal(new Set(names).size, 3);
  assert.ok((await servers[0]!.listDatabases()).includes(names[0]!));
  assert.ok((await servers[1]!.listDatabases()).includes(names[2]!));
  await servers[0]!.exec(names[0], 'CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)');
  assert.deepEqual(await servers[0]!.query(names[0], 'SELECT count(*), NULL FROM t'), [['2', null]]);
  assert.deepEqual(await space.dispose(), []);
  assert.deepEqual(await space.dispose(), [], 'dispose is idempotent');
  const left = [...(await servers[0]!.listDatabases()), ...(await servers[1]!.listDatabases())];
  for (const n of names) assert.ok(!left.includes(n), `${n} was dropped`);
  assert.ok(!existsSync(space.dir));
});

test('a sweep drops what a dead drill of this host left, and nothing of live drills or other hosts', async (t) => {
  const o = options(t);
  const dead = { hostTag: o.owner.hostTag, pid: deadPid() };
  assert.ok(!isAlive(dead.pid));
  const deadDb = scratchName(P, dead, 'deaddead');
  const liveDb = scratchName(P, o.owner, 'live0000');
  const foreignDb = scratchName(P, { hostTag: hostTag('another-host'), pid: dead.pid }, 'foreign0');
  for (const s of servers) for (const n of [deadDb, liveDb, foreignDb]) await s.createDatabase(n);
  t.after(async () => {
    for (const s of servers) for (const n of [deadDb, liveDb, foreignDb]) await s.dropDatabase(n);
  });
  const deadDir = join(drillsDir(o.stateDir), scratchName(P, dead, 'deaddir0'));
  const liveDir = join(drillsDir(o.stateDir), scratchName(P, o.owner, 'livedir0'));
  mkdirSync(join(deadDir, 'srv', 'app'), { recursive: true });
  mkdirSync(liveDir, { recursive: true });

  const r = await sweepLeftovers(o, servers);
  assert.deepEqual(r.problems, []);
  assert.deepEqual([...r.databases].sort(), [`mysql/${deadDb}`, `postgres/${deadDb}`]);
  assert.deepEqual(r.directories, [deadDir]);
  for (const s of servers) {
    const names = await s.listDatabases();
    assert.ok(!names.includes(deadDb) && names.includes(liveDb) && names.includes(foreignDb), s.engine);
  }
  assert.ok(!existsSync(deadDir) && existsSync(liveDir));
});

test('an unreachable server is a problem of the sweep, not a failure of the drill', async (t) => {
  const o = options(t);
  const down = new DbClient(runner, 'postgres', { host: '127.0.0.1', port: 1, user: 'postgres' });
  const r = await sweepLeftovers(o, [down]);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /could not sweep scratch databases on 127\.0\.0\.1:1/);
});
