import { LifeboatError } from '../errors/index.js';
import { deferred } from './deferred.js';
import { dumpFileName, dumpPath, metadataFile, rfc3339, type DumpMetadata } from './dump-metadata.js';
import { MYSQL_FAILURE_RULES, mysqlArgs, mysqlTarget, type MysqlTarget } from './mysql-connection.js';
import type { DatabasePlan, SourceDeps } from './postgres-source.js';
import type { DatabaseSpec } from './source-specs.js';
import { dumpEntry, findTool, runForText, type FailureContext } from './tool-process.js';
import { safeFileName, type VirtualFile } from './virtual-file.js';

const SYSTEM_SCHEMAS = ['information_schema', 'performance_schema', 'sys', 'mysql'];

function ctx(what: string, tool: string, t: MysqlTarget): FailureContext {
  return { what, tool, rules: MYSQL_FAILURE_RULES, secrets: t.password ? [t.password] : [], fallback: 'SOURCE_DUMP_FAILED' };
}

/** A string literal for MySQL (no_backslash_escapes off, the default). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0')}'`;
}

export function sqlIdent(s: string): string {
  return '`' + s.replace(/`/g, '``') + '`';
}

/**
 * Plans the dumps of a MySQL/MariaDB source (like planPostgres). Row counts are taken in a
 * consistent-snapshot transaction just before the dump (mysqldump's own snapshot cannot be
 * shared), the dump is mariadb-dump (or mysqldump) --single-transaction, without
 * CREATE DATABASE/USE so that it restores into a database of any name.
 */
export async function planMysql(spec: DatabaseSpec, deps: SourceDeps): Promise<DatabasePlan> {
  const dump = await findTool(deps.runner, deps.tools?.['mysqldump'] ? [deps.tools['mysqldump']] : ['mariadb-dump', 'mysqldump']);
  const client = (await findTool(deps.runner, deps.tools?.['mysql'] ? [deps.tools['mysql']] : ['mariadb', 'mysql'])).command;
  const t = mysqlTarget(spec);
  const wanted = spec.database ?? t.database;
  if (wanted === undefined) throw new LifeboatError('INVALID_ARGUMENT', `mysql source (${spec.origin}) names no database; add database: NAME (or all) or put it in the URL`);
  const query = (sql: string, what: string) =>
    runForText(deps.runner, { command: client, args: [...mysqlArgs(t), '--batch', '--skip-column-names', '--raw', '-e', sql], env: { LC_MESSAGES: 'C' } }, ctx(what, client, t));
  const info = await query(wanted === 'all' ? 'SELECT VERSION(); SHOW DATABASES' : `SELECT VERSION(); USE ${sqlIdent(wanted)}`, `connecting to MySQL on ${t.where}`);
  const [serverVersion, ...names] = info.split('\n').filter((l) => l !== '');
  const databases = wanted === 'all' ? names.filter((n) => !SYSTEM_SCHEMAS.includes(n)) : [wanted];
  const files: VirtualFile[] = [];
  for (const db of databases) {
    if (!safeFileName(db)) throw new LifeboatError('SOURCE_DUMP_FAILED', `MySQL database name "${db}" cannot be a file name in the snapshot`);
    const meta = deferred<DumpMetadata>();
    const what = `${dump.command} of database "${db}" on ${t.where}`;
    files.push({
      path: dumpPath('mysql', db),
      mode: 0o600,
      async *open() {
        try {
          const tables = await countRows(db, query);
          const startedAt = deps.now();
          const args = [...mysqlArgs(t), '--single-transaction', '--routines', '--triggers', '--events', '--hex-blob', '--no-tablespaces', '--default-character-set=utf8mb4', '--', db];
          const entry = dumpEntry(dumpPath('mysql', db), db, () => deps.runner.run({ command: dump.command, args, env: { LC_MESSAGES: 'C' }, ...(deps.signal ? { signal: deps.signal } : {}) }), ctx(what, dump.command, t));
          yield* entry.stream;
          await entry.done;
          meta.resolve({ version: 1, engine: 'mysql', database: db, dump: dumpFileName('mysql', db), serverVersion: serverVersion ?? '', toolVersion: dump.version, tables, dumpedAt: rfc3339(startedAt) });
        } catch (e) {
          meta.reject(e);
          throw e;
        } finally {
          meta.reject(new LifeboatError('INTERRUPTED', `${what} did not complete`));
        }
      },
    });
    files.push(metadataFile('mysql', db, meta));
  }
  return { files, databases };
}

async function countRows(db: string, query: (sql: string, what: string) => Promise<string>): Promise<{ name: string; rows: number }[]> {
  const listed = await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${sqlString(db)} AND table_type = 'BASE TABLE' ORDER BY table_name`, `listing the tables of "${db}"`);
  const tables = listed.split('\n').filter((l) => l !== '');
  if (tables.length === 0) return [];
  const counts = tables.map((name) => `SELECT ${sqlString(name)}, COUNT(*) FROM ${sqlIdent(db)}.${sqlIdent(name)}`).join(' UNION ALL ');
  const out = await query(`START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY; ${counts}; COMMIT`, `counting the rows of "${db}"`);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const i = l.lastIndexOf('\t');
      return { name: `${db}.${l.slice(0, i)}`, rows: Number(l.slice(i + 1)) };
    });
}
