// Issue 4, "done when" 2 and part of 4: a 1 GiB PostgreSQL database is dumped with flat
// memory (the dump streams through the chunker; the peak RSS is printed and must be well
// under the dump's size), and a pg_dump killed half-way fails the backup with no snapshot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { LIFEBOAT_CLI, describe as show, expectExit, lastJson, lifeboat, lifeboatEnv, lifeboatSpawn, repoCtx, TempDir } from './support/run.js';
import { PG_URL, dbName, dropPg, pg, writeConfig } from './support/databases.js';

const GiB = 1024 ** 3;

/** PIDs of the children of `pid` whose command is `name` with an argument starting with `argPrefix` (from /proc). */
function childrenNamed(pid: number, name: string, argPrefix: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (new RegExp(`^Name:\\s+${name}$`, 'm').test(status) && new RegExp(`^PPid:\\s+${pid}$`, 'm').test(status) && argv.some((a) => a.startsWith(argPrefix))) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

describe('a 1 GiB database', { timeout: 1_800_000 }, () => {
  const tmp = new TempDir('lb-apps-big-');
  const db = dbName('big');
  const ctx = repoCtx(tmp, 'repo');
  const cfg = tmp.join('lifeboat.yaml');
  const env = lifeboatEnv({});

  before(() => {
    pg(`CREATE DATABASE "${db}";`);
    // Generated inside the server: 2,097,152 rows of 512 distinct-per-row characters ≈ 1 GiB.
    pg(`CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 16) AS t FROM generate_series(1, 2097152) g;`, db);
    writeConfig(cfg, { big: { ...ctx, body: `sources:\n  - postgres: { url: "${PG_URL}/${db}" }` } });
    expectExit(lifeboat({}, ['-c', cfg, 'init', '--app', 'big'], { env }), 0);
  });
  after(() => {
    dropPg(db);
    tmp.cleanup();
  });

  test('is dumped and backed up with a peak RSS well under the dump size', () => {
    const r = spawnSync('/usr/bin/time', ['-f', 'LB_PEAK_RSS_KB=%M', process.execPath, LIFEBOAT_CLI, '-c', cfg, 'backup', '--app', 'big', '--json'], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 1_500_000 });
    const result = { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, what: 'lifeboat backup --app big' };
    assert.equal(r.status, 0, show(result));
    const peak = Number(/LB_PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1]) * 1024;
    const summary = lastJson<{ apps: { totalBytesProcessed: number }[] }>(result).apps[0]!;
    const listing = JSON.parse(expectExit(lifeboat(ctx, ['ls', 'latest', '/databases', '-l', '--json']), 0).stdout) as { nodes: { path: string; size: number }[] };
    const nodes = listing.nodes;
    const dump = nodes.find((n) => n.path === `/databases/postgres/${db}.pgdump`);
    assert.ok(dump && dump.size! > GiB, `dump node: ${JSON.stringify(dump)}`);
    process.stdout.write(`# dump ${(dump.size! / 2 ** 20).toFixed(0)} MiB, processed ${(summary.totalBytesProcessed / 2 ** 20).toFixed(0)} MiB, peak RSS of lifeboat ${(peak / 2 ** 20).toFixed(0)} MiB\n`);
    assert.ok(peak > 0 && peak < dump.size! / 3, `peak RSS ${peak} bytes is not well under the dump size ${dump.size}`);
  });

  test('a pg_dump killed half-way fails the backup with one line, and no snapshot is added', async () => {
    const snapshotsBefore = JSON.parse(expectExit(lifeboat(ctx, ['snapshots', '--json']), 0).stdout).length;
    const child = lifeboatSpawn({}, ['-c', cfg, 'backup', '--app', 'big'], { env });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout!.resume();
    let killed = false;
    const poll = setInterval(() => {
      for (const pid of childrenNamed(child.pid!, 'pg_dump', '--format=custom')) {
        process.kill(pid, 'SIGKILL');
        killed = true;
        clearInterval(poll);
      }
    }, 20);
    const [code] = await once(child, 'exit');
    clearInterval(poll);
    assert.ok(killed, `pg_dump was never seen running; stderr: ${stderr}`);
    assert.equal(code, 1, stderr);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /^lifeboat: SOURCE_DUMP_FAILED: app big: pg_dump of database "[^"]+" on 127\.0\.0\.1:5432 failed: pg_dump was killed by SIGKILL/);
    assert.equal(JSON.parse(expectExit(lifeboat(ctx, ['snapshots', '--json']), 0).stdout).length, snapshotsBefore);
  });

  test('the server ending the dump session half-way fails the backup with one line, and no snapshot is added', async () => {
    const snapshotsBefore = JSON.parse(expectExit(lifeboat(ctx, ['snapshots', '--json']), 0).stdout).length;
    const child = lifeboatSpawn({}, ['-c', cfg, 'backup', '--app', 'big'], { env });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout!.resume();
    let terminated = false;
    const exited = once(child, 'exit');
    while (!terminated && child.exitCode === null) {
      terminated = pg(`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND application_name = 'pg_dump' AND state = 'active') t;`) !== '0';
      await new Promise((r) => setTimeout(r, 20));
    }
    const [code] = await exited;
    assert.ok(terminated, `the pg_dump session was never seen; stderr: ${stderr}`);
    assert.equal(code, 1, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^lifeboat: SOURCE_(UNREACHABLE|DUMP_FAILED): app big: pg_dump of database "[^"]+" on 127\.0\.0\.1:5432 failed: pg_dump exited with code 1: .*(terminating connection|server closed the connection)/);
    assert.equal(JSON.parse(expectExit(lifeboat(ctx, ['snapshots', '--json']), 0).stdout).length, snapshotsBefore);
  });
});
