// Against the real PostgreSQL and MariaDB of the machine (databases named lb_apps_*).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';
import { restoreDatabaseDump } from './database-restore.js';
import { planMysql } from './mysql-source.js';
import { planPostgres } from './postgres-source.js';
import { nodeProcessRunner } from './process-runner.js';
import { failureOf } from './tool-process.js';
import { PG_FAILURE_RULES } from './pg-rules.js';

const runner = nodeProcessRunner({ env: { PATH: process.env['PATH'] } });
const deps = { runner, now: () => new Date(0) };
const suffix = randomBytes(3).toString('hex');
const pgSrc = `lb_apps_unit_${suffix}`;
const myDb = `lb_apps_unit_${suffix}`;
const psql = (sql: string, db = 'postgres') => spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-X', '-A', '-t', '-q', '-d', db, '-c', sql], { encoding: 'utf8' }).stdout.trim();
const maria = (sql: string) => spawnSync('mariadb', ['-uroot', '-N', '-B', '-e', sql], { encoding: 'utf8' }).stdout.trim();

after(() => {
  for (const d of [pgSrc, `${pgSrc}_half`]) psql(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  maria(`DROP DATABASE IF EXISTS \`${myDb}\`; DROP DATABASE IF EXISTS \`${myDb}_half\``);
});

async function bytesOf(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of s) parts.push(c);
  return Buffer.concat(parts);
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

test('a truncated dump fails the restore and leaves the new database without tables', async () => {
  psql(`CREATE DATABASE "${pgSrc}"`);
  psql(`CREATE TABLE a (id int, t text); INSERT INTO a SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g; CREATE TABLE b (id int);`, pgSrc);
  const plan = await planPostgres({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:5432/${pgSrc}`, origin: 'test' }, deps);
  const dump = await bytesOf(plan.files[0]!.open());
  await assert.rejects(
    restoreDatabaseDump({ engine: 'postgres', dump: once(dump.subarray(0, Math.floor(dump.length / 2))), into: { url: `postgres://postgres@127.0.0.1:5432/${pgSrc}_half` } }, deps),
    (e) => e instanceof LifeboatError && e.code === 'RESTORE_FAILED' && /pg_restore into database/.test(e.message),
  );
  assert.equal(psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", `${pgSrc}_half`), '0', 'one transaction: nothing half-restored');
});

test('MariaDB: a truncated dump fails the restore', async () => {
  maria(`CREATE DATABASE \`${myDb}\`; CREATE TABLE \`${myDb}\`.a (id INT, t TEXT); INSERT INTO \`${myDb}\`.a SELECT seq, REPEAT('y', 100) FROM seq_1_to_20000`);
  const plan = await planMysql({ kind: 'mysql', socket: '/run/mysqld/mysqld.sock', user: 'root', database: myDb, origin: 'test' }, deps);
  const dump = await bytesOf(plan.files[0]!.open());
  await assert.rejects(
    restoreDatabaseDump({ engine: 'mysql', dump: once(dump.subarray(0, Math.floor(dump.length / 2))), into: { socket: '/run/mysqld/mysqld.sock', user: 'root', database: `${myDb}_half` } }, deps),
    (e) => e instanceof LifeboatError && e.code === 'RESTORE_FAILED',
  );
});

test('PostgreSQL refusals are classified from what libpq says (this server trusts every login, so the texts are fixed here)', () => {
  const ctx = { what: 'pg_dump of database "x" on h:5432', tool: 'pg_dump', rules: PG_FAILURE_RULES, secrets: ['pw-Secret'], fallback: 'SOURCE_DUMP_FAILED' as const };
  const r = (stderr: string) => failureOf({ exitCode: 1, signal: null, stderrTail: stderr, killedByUs: false }, ctx)!;
  const auth = r('pg_dump: error: connection to server at "h" (10.0.0.1), port 5432 failed: FATAL:  password authentication failed for user "u"\n');
  assert.equal(auth.code, 'SOURCE_AUTH_FAILED');
  assert.match(auth.message, /password authentication failed for user "u"; check the user and the password/);
  assert.equal(r('pg_dump: error: connection to server at "h", port 5432 failed: Connection refused\n').code, 'SOURCE_UNREACHABLE');
  assert.equal(r('pg_dump: error: connection to server at "h" failed: FATAL:  database "x" does not exist').code, 'SOURCE_DUMP_FAILED');
  assert.ok(!r('pg_dump: error: bad password pw-Secret').message.includes('pw-Secret'));
});
