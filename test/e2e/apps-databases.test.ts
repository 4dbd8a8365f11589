// Issue 4, "done when" 1: a PostgreSQL and a MariaDB database (several tables, 100,000+
// rows, binary and JSON columns) backed up as an app and restored into a new database:
// every table's row count and content checksum match, and restic reads the repository.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describe as show, expectExit, lastJson, lifeboat, lifeboatEnv, repoCtx, restic, TempDir } from './support/run.js';
import { MARIADB_SOCKET, PG_URL, dbName, dropMaria, dropPg, fillMaria, fillPg, maria, mariaSums, pg, pgSums, writeConfig } from './support/databases.js';

describe('app databases: back up and restore PostgreSQL and MariaDB', { timeout: 600_000 }, () => {
  const tmp = new TempDir('lb-apps-db-');
  const pgDb = dbName('pg');
  const pgNew = `${pgDb}_restored`;
  const myDb = dbName('my');
  const myNew = `${myDb}_restored`;
  const pgRepo = repoCtx(tmp, 'pgrepo');
  const myRepo = repoCtx(tmp, 'myrepo');
  const cfg = tmp.join('lifeboat.yaml');
  const env = lifeboatEnv({});
  const run = (args: string[]) => lifeboat({}, ['-c', cfg, ...args], { env });

  after(() => {
    dropPg(pgDb, pgNew);
    dropMaria(myDb, myNew);
    tmp.cleanup();
  });

  test('PostgreSQL: 130,500 rows in 3 tables with bytea and jsonb, restored into a new database, match', () => {
    fillPg(pgDb);
    const before = pgSums(pgDb);
    assert.equal(Object.keys(before).length, 3);
    writeConfig(cfg, {
      shop: { ...pgRepo, body: `sources:\n  - postgres: { url: "${PG_URL}/${pgDb}", globals: true }` },
      crm: { ...myRepo, body: `sources:\n  - mysql: { socket: ${MARIADB_SOCKET}, user: root, database: ${myDb} }` },
    });
    expectExit(run(['init', '--app', 'shop']), 0);
    const backup = lastJson<{ apps: { snapshotId: string; databases: { engine: string; database: string }[] }[] }>(expectExit(run(['backup', '--app', 'shop', '--json']), 0));
    assert.deepEqual(backup.apps[0]!.databases, [{ engine: 'postgres', database: pgDb }]);
    const meta = JSON.parse(expectExit(lifeboat(pgRepo, ['dump', 'latest', `/databases/postgres/${pgDb}.json`]), 0).stdout);
    assert.equal(meta.engine, 'postgres');
    assert.equal(meta.dump, `${pgDb}.pgdump`);
    assert.match(meta.serverVersion, /^\d+\.\d+$/);
    assert.match(meta.toolVersion, /^pg_dump \(PostgreSQL\) \d+/);
    assert.deepEqual(meta.tables, [{ name: 'extra.blobs', rows: 500 }, { name: 'public.orders', rows: 30000 }, { name: 'public.users', rows: 100000 }]);
    assert.match(expectExit(lifeboat(pgRepo, ['dump', 'latest', '/databases/postgres/globals.sql']), 0).stdout, /CREATE ROLE postgres/);
    // The app snapshot is an ordinary restic snapshot.
    expectExit(restic(pgRepo, ['check', '--read-data']), 0);

    expectExit(run(['restore', '--app', 'shop', '--database', pgDb, '--into', `${PG_URL}/${pgNew}`]), 0);
    assert.deepEqual(pgSums(pgNew), before);
    assert.equal(pg('SELECT add1(41);', pgNew), '42');
    assert.equal(pg('SELECT count(*) FROM big_spenders;', pgNew), pg('SELECT count(*) FROM big_spenders;', pgDb));
  });

  test('PostgreSQL: a database with tables is refused without --force; with --force it is replaced', () => {
    pg('DELETE FROM orders WHERE id > 10;', pgNew);
    const refused = expectExit(run(['restore', '--app', 'shop', '--database', pgDb, '--into', `${PG_URL}/${pgNew}`]), 1);
    assert.match(refused.stderr.trim(), /^lifeboat: RESTORE_TARGET_NOT_EMPTY: database "[^"]+" on 127\.0\.0\.1:5432 is not empty .*--force/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, show(refused));
    assert.equal(pg('SELECT count(*) FROM orders;', pgNew), '10');
    expectExit(run(['restore', '--app', 'shop', '--database', pgDb, '--into', `${PG_URL}/${pgNew}`, '--force']), 0);
    assert.deepEqual(pgSums(pgNew), pgSums(pgDb));
  });

  test('MariaDB: 130,500 rows with VARBINARY, LONGBLOB and JSON, routines, triggers; restored and matching', () => {
    fillMaria(myDb);
    const before = mariaSums(myDb);
    assert.equal(Object.keys(before).length, 3);
    expectExit(run(['init', '--app', 'crm']), 0);
    expectExit(run(['backup', '--app', 'crm']), 0);
    const meta = JSON.parse(expectExit(lifeboat(myRepo, ['dump', 'latest', `/databases/mysql/${myDb}.json`]), 0).stdout);
    assert.equal(meta.engine, 'mysql');
    assert.deepEqual(meta.tables, [{ name: `${myDb}.blobs`, rows: 500 }, { name: `${myDb}.orders`, rows: 30000 }, { name: `${myDb}.users`, rows: 100000 }]);
    const sql = expectExit(lifeboat(myRepo, ['dump', 'latest', `/databases/mysql/${myDb}.sql`]), 0).stdout;
    assert.doesNotMatch(sql, /^(CREATE DATABASE|USE )/m, 'the dump must restore into a database of any name');
    expectExit(restic(myRepo, ['check', '--read-data']), 0);

    expectExit(run(['restore', '--app', 'crm', '--database', myDb, '--into', `mysql://root@localhost/${myNew}?socket=${MARIADB_SOCKET}`]), 0);
    assert.deepEqual(mariaSums(myNew), before);
    assert.equal(maria('SELECT add1(41);', myNew), '42');
    assert.equal(maria("SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE();", myNew), '1');
    const refused = expectExit(run(['restore', '--app', 'crm', '--database', myDb, '--into', `mysql://root@localhost/${myNew}?socket=${MARIADB_SOCKET}`]), 1);
    assert.match(refused.stderr, /RESTORE_TARGET_NOT_EMPTY/);
  });
});
