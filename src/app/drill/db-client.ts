import { LifeboatError } from '../../errors/index.js';
import { mysqlArgs, mysqlTarget, MYSQL_FAILURE_RULES } from '../../sources/mysql-connection.js';
import { pgEnv, pgTarget } from '../../sources/pg-connection.js';
import { PG_FAILURE_RULES } from '../../sources/pg-rules.js';
import { restoreDatabaseDump, type DatabaseEngine, type DbConnection, type ProcessRunner, type ProcessSpec } from '../../sources/index.js';
import { runForText, runToCompletion, type FailureContext } from '../../sources/tool-process.js';

// ASCII unit, record and group separators: they never occur in the values drills read (names,
// counts, base64 ciphertexts), unlike psql's default '|' and newline.
const FS = '\x1f';
const RS = '\x1e';
const NUL = '\x1d';

const mysqlUnescape = (s: string): string => s.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', '0': '\0', '\\': '\\' })[c] ?? c);

async function* once(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/**
 * A minimal client over psql / mysql for drills and key checks: administration (create, drop,
 * list), queries returning text rows, and restoring a dump. SQL goes on stdin, passwords in
 * the environment or a 0600 option file: never argv.
 */
export class DbClient {
  constructor(
    private readonly runner: ProcessRunner,
    readonly engine: DatabaseEngine,
    readonly conn: DbConnection,
  ) {}

  get where(): string {
    return this.engine === 'postgres' ? pgTarget(this.conn, undefined).where : mysqlTarget(this.conn).where;
  }

  private spec(database: string | undefined, sql: string, signal?: AbortSignal): { spec: ProcessSpec; ctx: FailureContext } {
    const extra = { stdin: once(sql), ...(signal ? { signal } : {}) };
    if (this.engine === 'postgres') {
      const t = pgTarget(this.conn, database ?? 'postgres');
      const args = ['-X', '-q', '-A', '-t', '-w', '-F', FS, '-R', RS, '-P', `null=${NUL}`, '-v', 'ON_ERROR_STOP=1', `--dbname=${t.url}`, '-f', '-'];
      return { spec: { command: 'psql', args, env: pgEnv(t), ...extra }, ctx: { what: `SQL on database "${t.database}" on ${t.where}`, tool: 'psql', rules: PG_FAILURE_RULES, secrets: t.password ? [t.password] : [], fallback: 'RESTORE_FAILED' } };
    }
    const t = mysqlTarget(this.conn);
    const args = [...mysqlArgs(t), '--batch', '--skip-column-names', ...(database ? [`--database=${database}`] : [])];
    return { spec: { command: 'mysql', args, env: { LC_MESSAGES: 'C' }, ...extra }, ctx: { what: `SQL on ${database ? `database "${database}" on ` : ''}${t.where}`, tool: 'mysql', rules: MYSQL_FAILURE_RULES, secrets: t.password ? [t.password] : [], fallback: 'RESTORE_FAILED' } };
  }

  /** Runs SQL and gives its rows as text fields (NULL as null). */
  async query(database: string | undefined, sql: string, signal?: AbortSignal): Promise<(string | null)[][]> {
    const { spec, ctx } = this.spec(database, sql, signal);
    const text = await runForText(this.runner, spec, ctx);
    if (this.engine === 'postgres') {
      const body = text.endsWith('\n') ? text.slice(0, -1) : text;
      if (body === '') return [];
      return body.split(RS).map((r) => r.split(FS).map((f) => (f === NUL ? null : f)));
    }
    return text.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((f) => (f === 'NULL' ? null : mysqlUnescape(f))));
  }

  async exec(database: string | undefined, sql: string, signal?: AbortSignal): Promise<void> {
    const { spec, ctx } = this.spec(database, sql, signal);
    await runToCompletion(this.runner, spec, ctx);
  }

  async listDatabases(): Promise<string[]> {
    const sql = this.engine === 'postgres' ? 'SELECT datname FROM pg_database' : 'SHOW DATABASES';
    return (await this.query(undefined, sql)).map((r) => r[0] ?? '').filter((n) => n !== '');
  }

  async createDatabase(name: string): Promise<void> {
    assertIdentifier(name);
    await this.exec(undefined, this.engine === 'postgres' ? `CREATE DATABASE "${name}"` : `CREATE DATABASE \`${name}\``);
  }

  async dropDatabase(name: string): Promise<void> {
    assertIdentifier(name);
    // FORCE ends sessions a killed pg_restore may have left (PostgreSQL 13+).
    await this.exec(undefined, this.engine === 'postgres' ? `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)` : `DROP DATABASE IF EXISTS \`${name}\``);
  }

  /**
   * Restores a dump (pg_dump custom format, or SQL text) into an existing empty database. An SQL
   * dump that would switch database (`USE`, `CREATE DATABASE`: mysqldump --databases) is stopped
   * before that line reaches the server: a drill must never write into the live database.
   */
  async restore(database: string, dump: AsyncIterable<Uint8Array>, now: () => Date, signal?: AbortSignal): Promise<void> {
    assertIdentifier(database);
    const bytes = this.engine === 'mysql' ? stayInDatabase(dump) : dump;
    await restoreDatabaseDump({ engine: this.engine, dump: bytes, into: { ...this.conn, database }, noOwner: true }, { runner: this.runner, now, ...(signal ? { signal } : {}) });
  }

  /** Exact row count of a table (`schema.table` for PostgreSQL; the schema is dropped for MySQL, whose database is the schema). */
  async countRows(database: string, table: string): Promise<number> {
    const parts = table.split('.');
    const quote = (p: string): string => (this.engine === 'postgres' ? `"${p.replace(/"/g, '""')}"` : `\`${p.replace(/`/g, '``')}\``);
    const name = this.engine === 'postgres' ? parts.map(quote).join('.') : quote(parts.at(-1)!);
    const rows = await this.query(database, `SELECT count(*) FROM ${name}`);
    const n = Number(rows[0]?.[0]);
    if (!Number.isSafeInteger(n)) throw new LifeboatError('INVALID_DATA', `could not count the rows of ${table}`);
    return n;
  }
}

const SWITCH = /^\s*(?:USE\s|CREATE\s+(?:DATABASE|SCHEMA)\b|DROP\s+(?:DATABASE|SCHEMA)\b|\\u\s|\\c\s|connect\s)/i;

const HEAD = 64;

function refuseSwitch(head: Uint8Array): void {
  if (SWITCH.test(Buffer.from(head).toString('latin1'))) {
    throw new LifeboatError('RESTORE_FAILED', 'the SQL dump switches database (USE or CREATE DATABASE); a drill restores only into its scratch database, so it was stopped; dump without --databases');
  }
}

/**
 * Passes an SQL dump through, throwing at the first line that would leave the target database.
 * mysqldump writes one statement per line and escapes newlines inside strings, so judging the
 * first bytes of each line is enough. Those bytes are held back until judged: no byte of a
 * refused line ever reaches the server (which could run it at end of input).
 */
export async function* stayInDatabase(dump: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  let atLineStart = true;
  for await (const chunk of dump) {
    const data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let p = 0;
    let undecided = data.length;
    while (p < data.length) {
      if (atLineStart) {
        const nl = data.indexOf(10, p);
        const lineEnd = nl < 0 ? data.length : nl;
        if (lineEnd - p < HEAD && nl < 0) {
          undecided = p;
          break;
        }
        refuseSwitch(data.subarray(p, Math.min(lineEnd, p + HEAD)));
        atLineStart = false;
      }
      const nl = data.indexOf(10, p);
      if (nl < 0) break;
      p = nl + 1;
      atLineStart = true;
    }
    pending = data.slice(undecided);
    if (undecided > 0) yield data.subarray(0, undecided);
  }
  if (pending.length) {
    refuseSwitch(pending);
    yield pending;
  }
}

/** Scratch names are generated, but a name reaching SQL is checked anyway. */
export function assertIdentifier(name: string): void {
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new LifeboatError('INVALID_ARGUMENT', `"${name}" is not a plain database name (letters, digits, _; at most 63)`);
}
