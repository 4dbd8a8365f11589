import { LifeboatError } from '../errors/index.js';
import { MYSQL_FAILURE_RULES, mysqlArgs, mysqlTarget, type MysqlTarget } from './mysql-connection.js';
import { sqlIdent, sqlString } from './mysql-source.js';
import { pgEnv, pgTarget, type PgTarget } from './pg-connection.js';
import { PG_FAILURE_RULES } from './pg-rules.js';
import type { SourceDeps } from './postgres-source.js';
import type { DatabaseEngine, DbConnection } from './source-specs.js';
import { findTool, runForText, runToCompletion, type FailureContext } from './tool-process.js';

export interface DatabaseRestoreRequest {
  readonly engine: DatabaseEngine;
  /** The dump's bytes, as stored: pg_dump custom format, or mysqldump SQL. Read once. */
  readonly dump: AsyncIterable<Uint8Array>;
  /** Where to: a server and a database that is new (created) or empty. */
  readonly into: DbConnection & { readonly database?: string };
  /** Restore into a database that already holds tables (PostgreSQL: --clean --if-exists). */
  readonly force?: boolean;
  /** PostgreSQL: do not set owners (a scratch database owned by the restoring user). */
  readonly noOwner?: boolean;
}

export interface DatabaseRestoreResult {
  readonly engine: DatabaseEngine;
  readonly database: string;
  /** Where it went, for messages (never with a password). */
  readonly where: string;
  readonly created: boolean;
}

/**
 * Streams a dump into a database: creates it when missing, refuses one that has tables
 * unless `force`, then pipes the bytes into pg_restore (one transaction: a failed restore
 * leaves nothing half-done) or the mariadb/mysql client. Nothing is staged on disk.
 */
export async function restoreDatabaseDump(req: DatabaseRestoreRequest, deps: SourceDeps): Promise<DatabaseRestoreResult> {
  return req.engine === 'postgres' ? restorePostgres(req, deps) : restoreMysql(req, deps);
}

function pgCtx(what: string, tool: string, t: PgTarget): FailureContext {
  return { what, tool, rules: PG_FAILURE_RULES, secrets: t.password ? [t.password] : [], fallback: 'RESTORE_FAILED' };
}

async function restorePostgres(req: DatabaseRestoreRequest, deps: SourceDeps): Promise<DatabaseRestoreResult> {
  const tool = (n: string) => deps.tools?.[n] ?? n;
  const pgRestore = (await findTool(deps.runner, [tool('pg_restore')])).command;
  const psql = (await findTool(deps.runner, [tool('psql')])).command;
  const t = pgTarget(req.into, req.into.database);
  const db = t.database;
  if (!db) throw new LifeboatError('INVALID_ARGUMENT', 'name the database to restore into (postgres://user@host/DATABASE)');
  const admin = pgTarget(req.into, 'postgres');
  // Names travel as psql variables (:'name' quotes them), never spliced into SQL by hand.
  const sql = (target: PgTarget, script: string, what: string) =>
    runForText(deps.runner, { command: psql, args: ['-X', '-q', '-A', '-t', '-w', '-v', 'ON_ERROR_STOP=1', '-v', `name=${db}`, `--dbname=${target.url}`], env: pgEnv(target), stdin: once(script) }, pgCtx(what, 'psql', target));
  const exists = (await sql(admin, "SELECT count(*) FROM pg_database WHERE datname = :'name';\n", `connecting to PostgreSQL on ${t.where}`)).trim() === '1';
  if (!exists) await sql(admin, 'CREATE DATABASE :"name";\n', `creating database "${db}" on ${t.where}`);
  else {
    const n = Number((await sql(t, "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%' AND s.nspname NOT LIKE 'pg_temp%';\n", `inspecting database "${db}" on ${t.where}`)).trim());
    if (n > 0 && !req.force) throw notEmpty(db, t.where, n);
  }
  const args = ['--no-password', '--exit-on-error', '--single-transaction', `--dbname=${t.url}`, ...(req.noOwner ? ['--no-owner', '--no-privileges'] : []), ...(exists && req.force ? ['--clean', '--if-exists'] : [])];
  await runToCompletion(deps.runner, { command: pgRestore, args, env: pgEnv(t), stdin: req.dump, ...(deps.signal ? { signal: deps.signal } : {}) }, pgCtx(`pg_restore into database "${db}" on ${t.where}`, 'pg_restore', t));
  return { engine: 'postgres', database: db, where: t.where, created: !exists };
}

function notEmpty(db: string, where: string, n: number): LifeboatError {
  return new LifeboatError('RESTORE_TARGET_NOT_EMPTY', `database "${db}" on ${where} is not empty (${n} tables or other objects); restore into a new database, or pass --force to overwrite what the dump holds`);
}

async function* once(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

function myCtx(what: string, tool: string, t: MysqlTarget): FailureContext {
  return { what, tool, rules: MYSQL_FAILURE_RULES, secrets: t.password ? [t.password] : [], fallback: 'RESTORE_FAILED' };
}

async function restoreMysql(req: DatabaseRestoreRequest, deps: SourceDeps): Promise<DatabaseRestoreResult> {
  const client = (await findTool(deps.runner, deps.tools?.['mysql'] ? [deps.tools['mysql']] : ['mariadb', 'mysql'])).command;
  const base = mysqlTarget(req.into);
  const db = req.into.database ?? base.database;
  if (!db) throw new LifeboatError('INVALID_ARGUMENT', 'name the database to restore into (mysql://user@host/DATABASE)');
  const t = { ...base, database: db };
  const query = (sql: string, what: string) => runForText(deps.runner, { command: client, args: [...mysqlArgs(t), '--batch', '--skip-column-names', '-e', sql], env: { LC_MESSAGES: 'C' } }, myCtx(what, client, t));
  const counts = await query(`SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ${sqlString(db)}; SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ${sqlString(db)}`, `connecting to MySQL on ${t.where}`);
  const [exists, tables] = counts.split('\n').map((l) => Number(l.trim()));
  if (exists === 0) await query(`CREATE DATABASE ${sqlIdent(db)}`, `creating database "${db}" on ${t.where}`);
  else if ((tables ?? 0) > 0 && !req.force) throw notEmpty(db, t.where, tables ?? 0);
  await runToCompletion(deps.runner, { command: client, args: [...mysqlArgs(t), '--binary-mode', `--database=${db}`], env: { LC_MESSAGES: 'C' }, stdin: req.dump, ...(deps.signal ? { signal: deps.signal } : {}) }, myCtx(`restoring into database "${db}" on ${t.where}`, client, t));
  return { engine: 'mysql', database: db, where: t.where, created: exists === 0 };
}
