import { LifeboatError } from '../../errors/index.js';
import type { ProcessRunner, ProcessSpec } from '../../sources/process-runner.js';
import { runForText, runToCompletion, type FailureRules } from '../../sources/tool-process.js';

export type DbEngine = 'postgres' | 'mysql';

/** How to reach a database server. `password` travels in the environment or a 0600 file, never argv. */
export interface DbConnection {
  readonly engine: DbEngine;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** MariaDB/MySQL unix socket, when no host is given. */
  readonly socket?: string;
}

const RULES: FailureRules = [
  { code: 'SOURCE_AUTH_FAILED', pattern: /password authentication failed|Access denied|no password supplied/i, hint: 'check the user and password of the database source' },
  { code: 'SOURCE_UNREACHABLE', pattern: /could not connect|Connection refused|Can't connect|No such file or directory.*socket/i, hint: 'is the database server running and reachable?' },
];

// ASCII unit, record and group separators: they never occur in the values drills read (names,
// counts, base64 ciphertexts), unlike psql's default '|' and newline.
const FS = '\x1f';
const RS = '\x1e';
const NUL = '\x1d';

const mysqlUnescape = (s: string): string => s.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', '0': '\0', '\\': '\\' })[c] ?? c);

/**
 * A minimal client over psql / mysql for drills: administration (create, drop, list), queries
 * returning text rows, and feeding a dump into a database. SQL goes on stdin, never argv.
 */
export class DbClient {
  constructor(
    private readonly runner: ProcessRunner,
    readonly conn: DbConnection,
  ) {}

  get where(): string {
    return this.conn.host ? `${this.conn.host}:${this.conn.port ?? (this.conn.engine === 'postgres' ? 5432 : 3306)}` : (this.conn.socket ?? 'the local socket');
  }

  private secrets(): string[] {
    return this.conn.password ? [this.conn.password] : [];
  }

  /** The psql or mysql invocation for `database`, with SQL on stdin. */
  private spec(database: string | undefined, sql: string | undefined, signal?: AbortSignal): ProcessSpec {
    const stdin = sql === undefined ? undefined : (async function* () {
      yield new TextEncoder().encode(sql);
    })();
    const extra = { ...(stdin ? { stdin } : {}), ...(signal ? { signal } : {}) };
    if (this.conn.engine === 'postgres') {
      const c = this.conn;
      const args = ['-X', '-q', '-A', '-t', '-F', FS, '-R', RS, '-P', `null=${NUL}`, '-v', 'ON_ERROR_STOP=1', ...(c.host ? ['-h', c.host] : []), ...(c.port ? ['-p', String(c.port)] : []), ...(c.user ? ['-U', c.user] : []), '-d', database ?? 'postgres', '-f', '-'];
      return { command: 'psql', args, env: { ...(c.password ? { PGPASSWORD: c.password } : {}), PGCONNECT_TIMEOUT: '10' }, ...extra };
    }
    const c = this.conn;
    const cnf = `[client]\n${c.password ? `password="${c.password.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n` : ''}`;
    const args = [
      { secretFile: { prefix: '--defaults-extra-file=', content: cnf } },
      '-N', '-B',
      ...(c.host ? ['-h', c.host, '--protocol=TCP'] : []),
      ...(c.port ? ['-P', String(c.port)] : []),
      ...(c.socket && !c.host ? ['-S', c.socket] : []),
      ...(c.user ? ['-u', c.user] : []),
      ...(database ? [database] : []),
    ];
    return { command: 'mysql', args, ...extra };
  }

  private ctx(what: string) {
    return { what: `${what} on ${this.where}`, tool: this.conn.engine === 'postgres' ? 'psql' : 'mysql', rules: RULES, secrets: this.secrets(), fallback: 'RESTORE_FAILED' as const };
  }

  /** Runs SQL and gives its rows as text fields (NULL as null). */
  async query(database: string | undefined, sql: string, signal?: AbortSignal): Promise<(string | null)[][]> {
    const text = await runForText(this.runner, this.spec(database, sql, signal), this.ctx(`a query of database "${database ?? '(server)'}"`));
    if (this.conn.engine === 'postgres') {
      const body = text.endsWith('\n') ? text.slice(0, -1) : text;
      if (body === '') return [];
      return body.split(RS).map((r) => r.split(FS).map((f) => (f === NUL ? null : f)));
    }
    return text.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((f) => (f === 'NULL' ? null : mysqlUnescape(f))));
  }

  async exec(database: string | undefined, sql: string, signal?: AbortSignal): Promise<void> {
    await runToCompletion(this.runner, this.spec(database, sql, signal), this.ctx(`SQL on database "${database ?? '(server)'}"`));
  }

  /** Names of the databases on the server. */
  async listDatabases(): Promise<string[]> {
    const sql = this.conn.engine === 'postgres' ? 'SELECT datname FROM pg_database' : 'SHOW DATABASES';
    return (await this.query(undefined, sql)).map((r) => r[0] ?? '').filter((n) => n !== '');
  }

  async createDatabase(name: string): Promise<void> {
    assertIdentifier(name);
    await this.exec(undefined, this.conn.engine === 'postgres' ? `CREATE DATABASE "${name}"` : `CREATE DATABASE \`${name}\``);
  }

  async dropDatabase(name: string): Promise<void> {
    assertIdentifier(name);
    // FORCE ends sessions a killed pg_restore may have left (PostgreSQL 13+).
    await this.exec(undefined, this.conn.engine === 'postgres' ? `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)` : `DROP DATABASE IF EXISTS \`${name}\``);
  }

  /** Feeds a dump into `database`: pg_restore for custom-format dumps, mysql for SQL text. */
  async restore(database: string, dump: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
    assertIdentifier(database);
    const c = this.conn;
    if (c.engine === 'postgres') {
      const args = ['--no-owner', '--no-privileges', '--exit-on-error', ...(c.host ? ['-h', c.host] : []), ...(c.port ? ['-p', String(c.port)] : []), ...(c.user ? ['-U', c.user] : []), '-d', database];
      const spec: ProcessSpec = { command: 'pg_restore', args, env: c.password ? { PGPASSWORD: c.password } : {}, stdin: dump, ...(signal ? { signal } : {}) };
      await runToCompletion(this.runner, spec, { ...this.ctx(`pg_restore into scratch database "${database}"`), tool: 'pg_restore' });
      return;
    }
    const base = this.spec(database, undefined, signal);
    await runToCompletion(this.runner, { ...base, stdin: dump }, this.ctx(`loading the dump into scratch database "${database}"`));
  }
}

/** Scratch names are generated, but a name reaching SQL unquoted-safe is checked anyway. */
export function assertIdentifier(name: string): void {
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new LifeboatError('INVALID_ARGUMENT', `"${name}" is not a plain database name (letters, digits, _; at most 63)`);
}
