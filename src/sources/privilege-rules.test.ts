import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MYSQL_FAILURE_RULES } from './mysql-connection.js';
import { PG_FAILURE_RULES } from './pg-rules.js';
import { failureOf, type FailureContext } from './tool-process.js';

/**
 * A login that works but may not create a database (what a drill's scratch database needs) used
 * to be told to "check the user and the password", sending users after the wrong problem. These
 * run the real clients against the machine's servers and read the real error text.
 */
const tag = `lb_qa_${randomBytes(4).toString('hex')}`;

function run(command: string, args: string[], input?: string): { exitCode: number | null; stderr: string } {
  const r = spawnSync(command, args, { input, encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' } });
  return { exitCode: r.status, stderr: r.stderr };
}

function explain(r: { exitCode: number | null; stderr: string }, tool: string, rules: FailureContext['rules']): string {
  const e = failureOf({ exitCode: r.exitCode, signal: null, stderrTail: r.stderr, killedByUs: false }, { what: 'SQL', tool, rules, secrets: [], fallback: 'RESTORE_FAILED' });
  assert.ok(e, 'the client must have failed');
  return e.message;
}

test('MariaDB: a user without CREATE privilege is told to grant it, not to check the password', () => {
  const root = (sql: string) => run('mariadb', ['-uroot', '-e', sql]);
  assert.equal(root(`CREATE USER '${tag}'@'localhost' IDENTIFIED BY 'pw-${tag}'`).exitCode, 0);
  try {
    const denied = run('mariadb', [`--user=${tag}`, `--password=pw-${tag}`, '-e', `CREATE DATABASE lifeboat_drill_${tag}`]);
    const msg = explain(denied, 'mysql', MYSQL_FAILURE_RULES);
    assert.match(msg, /lacks privileges on that database/);
    assert.match(msg, /GRANT ALL ON `lifeboat\\_drill\\_%`\.\*/);
    assert.doesNotMatch(msg, /check the user and the password/);
    // A wrong password keeps its own advice.
    const wrong = run('mariadb', [`--user=${tag}`, '--password=not-it', '-e', 'SELECT 1']);
    assert.match(explain(wrong, 'mysql', MYSQL_FAILURE_RULES), /check the user and the password/);
  } finally {
    root(`DROP USER IF EXISTS '${tag}'@'localhost'; DROP DATABASE IF EXISTS lifeboat_drill_${tag}`);
  }
});

test('PostgreSQL: a role without CREATEDB is told to get it, not to fix read access', () => {
  const pg = (user: string, sql: string) => run('psql', ['-h', '127.0.0.1', '-U', user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  assert.equal(pg('postgres', `CREATE ROLE ${tag} LOGIN`).exitCode, 0);
  try {
    const msg = explain(pg(tag, `CREATE DATABASE lifeboat_drill_${tag}`), 'psql', PG_FAILURE_RULES);
    assert.match(msg, /CREATEDB/);
    assert.doesNotMatch(msg, /read access to every table/);
  } finally {
    pg('postgres', `DROP DATABASE IF EXISTS lifeboat_drill_${tag}`);
    pg('postgres', `DROP ROLE IF EXISTS ${tag}`);
  }
});
