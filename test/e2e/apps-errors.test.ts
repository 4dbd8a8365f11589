// Issue 4, "done when" 4 and 5: bad input each gives one clear line and no snapshot; no
// secret value in any message, --json output or argument list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { describe as show, expectExit, lifeboat, lifeboatEnv, lifeboatSpawn, repoCtx, TempDir, type RunResult } from './support/run.js';
import { MARIADB_SOCKET, PG_URL, dbName, dropMaria, dropPg, fillMaria, maria, pg, writeConfig } from './support/databases.js';

const outputs: RunResult[] = [];

function oneLine(r: RunResult, code: string, pattern: RegExp): void {
  outputs.push(r);
  assert.equal(r.status, code === 'REPO_WRONG_PASSWORD' ? 12 : 1, show(r));
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${show(r)}`);
  assert.match(lines[0]!, new RegExp(`^lifeboat: ${code}: `), show(r));
  assert.match(lines[0]!, pattern, show(r));
  assert.doesNotMatch(r.stderr, /^\s+at /m, show(r));
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('app errors: one line, no snapshot, no secret', { timeout: 300_000 }, () => {
  const tmp = new TempDir('lb-apps-errors-');
  const env = lifeboatEnv({});
  const cfg = tmp.join('lifeboat.yaml');
  const ctx = repoCtx(tmp, 'repo');
  const pgDb = dbName('err');
  const myDb = dbName('errmy');
  const bigDb = dbName('errbig');
  const myUser = `lb_apps_eu_${randomBytes(3).toString('hex')}`;
  const dbPassword = `Right-${randomBytes(8).toString('hex')}`;
  const wrongPassword = `Wrong-${randomBytes(8).toString('hex')}`;
  const inline = `Inline-${randomBytes(8).toString('hex')}`;
  const run = (args: string[], e = env) => lifeboat({}, ['-c', cfg, ...args], { env: e });
  const config = (body: string) => writeConfig(cfg, { shop: { ...ctx, body } });
  const snapshots = () => JSON.parse(expectExit(lifeboat(ctx, ['snapshots', '--json']), 0).stdout).length as number;

  before(() => {
    pg(`CREATE DATABASE "${pgDb}";`);
    pg('CREATE TABLE t (id int); INSERT INTO t VALUES (1);', pgDb);
    maria(`CREATE DATABASE \`${myDb}\`; CREATE TABLE \`${myDb}\`.t (id INT); CREATE USER '${myUser}'@'localhost' IDENTIFIED BY '${dbPassword}'; GRANT ALL ON \`${myDb}\`.* TO '${myUser}'@'localhost';`);
    writeFileSync(tmp.join('right.pass'), `${dbPassword}\n`);
    writeFileSync(tmp.join('wrong.pass'), `${wrongPassword}\n`);
    config(`sources:\n  - postgres: { url: "${PG_URL}/${pgDb}" }`);
    expectExit(run(['init', '--app', 'shop']), 0);
  });
  after(() => {
    dropPg(pgDb);
    dropMaria(myDb, bigDb);
    maria(`DROP USER IF EXISTS '${myUser}'@'localhost';`);
    tmp.cleanup();
  });

  test('malformed YAML, unknown field, unknown preset, inline password: file:line:column and what is expected', () => {
    writeFileSync(cfg, 'locations:\n  shop: { url: /x, password_file: /y\napps: {}\n');
    oneLine(run(['backup', '--app', 'shop']), 'CONFIG_INVALID', /lifeboat\.yaml:\d+:\d+: not valid YAML: /);
    config(`preset: decidim\nroot: /srv\nsorces: []`);
    oneLine(run(['backup', '--app', 'shop']), 'CONFIG_INVALID', /lifeboat\.yaml:\d+:5: apps\.shop\.sorces: unknown field "sorces"; did you mean "sources"\?$/);
    config(`preset: wordpress\nroot: /srv`);
    oneLine(run(['backup']), 'CONFIG_INVALID', /lifeboat\.yaml:\d+:13: apps\.shop\.preset: unknown preset "wordpress"; expected one of: decidim, mautic, rails, laravel, nextcloud, generic$/);
    config(`sources:\n  - mysql: { socket: ${MARIADB_SOCKET}, user: ${myUser}, database: ${myDb}, password: ${inline} }`);
    const r = run(['backup', '--app', 'shop', '--json']);
    outputs.push(r);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /"code":"CONFIG_INVALID".*inline passwords and secrets are not accepted/);
    const check = run(['config', 'check']);
    outputs.push(check);
    assert.equal(check.status, 1);
    assert.match(check.stderr, /sources\[0\]\.mysql\.password: inline passwords/);
    assert.equal(snapshots(), 0);
  });

  test('a root that does not exist: one line naming the field, no empty snapshot', () => {
    // It used to discover nothing and save a snapshot with no database, files or keys (exit 0).
    const root = tmp.join('no-such-app');
    config(`preset: decidim\nroot: ${root}`);
    oneLine(run(['backup', '--app', 'shop']), 'SOURCE_NOT_FOUND', new RegExp(`app shop: apps\\.shop\\.root: ${root} does not exist; fix root: in lifeboat\\.yaml`));
    oneLine(run(['drill', '--app', 'shop']), 'SOURCE_NOT_FOUND', /apps\.shop\.root: .* does not exist/);
    assert.equal(snapshots(), 0);
  });

  test('wrong database password', () => {
    config(`sources:\n  - mysql: { socket: ${MARIADB_SOCKET}, user: ${myUser}, database: ${myDb}, password_file: ${tmp.join('wrong.pass')} }`);
    oneLine(run(['backup', '--app', 'shop']), 'SOURCE_AUTH_FAILED', /app shop: connecting to MySQL on .* failed: .*Access denied for user.*; check the user and the password/);
    const json = run(['backup', '--app', 'shop', '--json']);
    outputs.push(json);
    assert.equal(json.status, 1);
    assert.equal(json.stdout, '');
    assert.equal(JSON.parse(json.stderr).error.code, 'SOURCE_AUTH_FAILED');
    // Every app (none named): the failure is the app's entry of the result, and the exit code.
    const all = run(['backup', '--json']);
    outputs.push(all);
    assert.equal(all.status, 1);
    assert.equal(JSON.parse(all.stdout).apps[0].error.code, 'SOURCE_AUTH_FAILED');
    config(`sources:\n  - mysql: { socket: ${MARIADB_SOCKET}, user: ${myUser}, database: ${myDb}, password_file: ${tmp.join('right.pass')} }`);
    outputs.push(expectExit(run(['backup', '--app', 'shop', '--json']), 0));
    assert.equal(snapshots(), 1);
    // A mistyped --database names the dumps there are (the user has no -r to "lifeboat ls" with).
    oneLine(run(['restore', '--app', 'shop', '--database', `${myDb}x`, '--into', `mysql://root@localhost/${myDb}_nope`]), 'PATH_NOT_FOUND', new RegExp(`has no dump of database "${myDb}x"; its dumps: mysql/${myDb}$`));
  });

  test('unreachable PostgreSQL and MySQL servers', async () => {
    const port = await freePort();
    config(`sources:\n  - postgres: { url: "postgres://postgres@127.0.0.1:${port}/${pgDb}" }`);
    oneLine(run(['backup', '--app', 'shop']), 'SOURCE_UNREACHABLE', new RegExp(`on 127\\.0\\.0\\.1:${port} failed: .*Connection refused.*; check that PostgreSQL is running`));
    config(`sources:\n  - mysql: { host: 127.0.0.1, port: ${port}, user: root, database: ${myDb} }`);
    oneLine(run(['backup', '--app', 'shop']), 'SOURCE_UNREACHABLE', /Can't connect to (MySQL |MariaDB )?server.*; check that MySQL\/MariaDB is running/);
    assert.equal(snapshots(), 1);
  });

  test('missing pg_dump', () => {
    config(`sources:\n  - postgres: { url: "${PG_URL}/${pgDb}" }`);
    oneLine(run(['backup', '--app', 'shop'], { ...env, PATH: tmp.join('no-such-bin') }), 'SOURCE_TOOL_MISSING', /app shop: pg_dump not found on PATH; install the database client tools/);
    assert.equal(snapshots(), 1);
  });

  test('mariadb-dump killed half-way: one line, no snapshot', async () => {
    fillMaria(bigDb);
    config(`sources:\n  - mysql: { socket: ${MARIADB_SOCKET}, user: root, database: ${bigDb} }`);
    const before = snapshots();
    const child = lifeboatSpawn({}, ['-c', cfg, 'backup', '--app', 'shop'], { env });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout!.resume();
    let killed = false;
    const poll = setInterval(() => {
      for (const d of readdirSync('/proc')) {
        try {
          const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
          if (argv[0]?.endsWith('mariadb-dump') && argv.includes('--single-transaction') && readFileSync(`/proc/${d}/status`, 'utf8').includes(`PPid:\t${child.pid}\n`)) {
            process.kill(Number(d), 'SIGKILL');
            killed = true;
          }
        } catch {
          // not a process, or gone
        }
      }
    }, 10);
    const [code] = await once(child, 'exit');
    clearInterval(poll);
    assert.ok(killed, `mariadb-dump was never seen running: ${stderr}`);
    const r = { status: code as number, signal: null, stdout: '', stderr, what: 'backup --app shop (mariadb-dump killed)' };
    oneLine(r, 'SOURCE_DUMP_FAILED', /app shop: mariadb-dump of database "[^"]+" on \/run\/mysqld\/mysqld\.sock failed: mariadb-dump was killed by SIGKILL$/);
    assert.equal(snapshots(), before);
  });

  test('a wrong repository password; then no secret in any output', () => {
    writeFileSync(ctx.passwordFile, 'not the password\n');
    oneLine(run(['backup', '--app', 'shop']), 'REPO_WRONG_PASSWORD', /app shop: wrong password: no key file in shop matches the password of location "shop" \(locations\.shop\.password_file: .*\); fix that in lifeboat\.yaml$/);
    for (const r of outputs) {
      for (const s of [dbPassword, wrongPassword, inline]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `secret in output of ${show(r)}`);
    }
  });
});
