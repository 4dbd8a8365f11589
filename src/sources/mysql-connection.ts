import { LifeboatError } from '../errors/index.js';
import type { ProcessArg } from './process-runner.js';
import type { DbConnection } from './source-specs.js';
import type { FailureRules } from './tool-process.js';

export interface MysqlTarget {
  readonly host?: string;
  readonly port?: number;
  readonly socket?: string;
  readonly user?: string;
  readonly password: string | undefined;
  readonly database: string | undefined;
  readonly where: string;
}

/** From `mysql://user@host:port/db` (or mariadb://) or the separate fields. */
export function mysqlTarget(c: DbConnection): MysqlTarget {
  if (c.url === undefined) {
    const where = c.socket ?? (c.host ? `${c.host}${c.port ? `:${c.port}` : ''}` : 'the local socket');
    return { ...pick(c), password: c.password, database: undefined, where };
  }
  let u: URL;
  try {
    u = new URL(c.url);
  } catch {
    throw new LifeboatError('INVALID_ARGUMENT', 'the MySQL URL is not a valid URL; expected mysql://user@host:port/database');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') throw new LifeboatError('INVALID_ARGUMENT', `a MySQL URL starts with mysql:// or mariadb://, not ${u.protocol}//`);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const socket = u.searchParams.get('socket') ?? c.socket;
  const host = u.hostname !== '' ? u.hostname.replace(/^\[|\]$/g, '') : c.host;
  const port = u.port !== '' ? Number(u.port) : c.port;
  return {
    ...(host ? { host } : {}),
    ...(port ? { port } : {}),
    ...(socket ? { socket } : {}),
    ...(u.username !== '' ? { user: decodeURIComponent(u.username) } : c.user ? { user: c.user } : {}),
    password: c.password ?? (u.password !== '' ? decodeURIComponent(u.password) : undefined),
    database: db === '' ? undefined : db,
    where: socket ?? (host ? `${host}${port ? `:${port}` : ''}` : 'the local socket'),
  };
}

function pick(c: DbConnection): Partial<MysqlTarget> {
  return { ...(c.host ? { host: c.host } : {}), ...(c.port ? { port: c.port } : {}), ...(c.socket ? { socket: c.socket } : {}), ...(c.user ? { user: c.user } : {}) };
}

/** An option-file value, quoted (the client unescapes \\ and \"). */
function optionValue(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The connection arguments. The password goes into a 0600 option file given as
 * --defaults-extra-file (which must come first), never into argv.
 */
export function mysqlArgs(t: MysqlTarget): ProcessArg[] {
  const args: ProcessArg[] = [];
  if (t.password !== undefined) args.push({ secretFile: { prefix: '--defaults-extra-file=', content: `[client]\npassword=${optionValue(t.password)}\n` } });
  if (t.socket) args.push(`--socket=${t.socket}`, '--protocol=SOCKET');
  // "localhost" means the socket to MySQL clients; any other host name means TCP.
  else if (t.host) args.push(`--host=${t.host}`, ...(t.host === 'localhost' ? [] : ['--protocol=TCP']));
  if (t.port) args.push(`--port=${t.port}`);
  if (t.user) args.push(`--user=${t.user}`);
  return args;
}

export const MYSQL_FAILURE_RULES: FailureRules = [
  // ERROR 1044 "... to database 'x'": the login worked, the user lacks privileges there (a drill's scratch database, usually).
  { code: 'SOURCE_AUTH_FAILED', pattern: /access denied for user \S+ to database/i, hint: 'the login works but lacks privileges on that database; a drill creates and drops scratch databases: GRANT ALL ON `lifeboat\\_drill\\_%`.* TO the user' },
  { code: 'SOURCE_AUTH_FAILED', pattern: /access denied for user/i, hint: 'check the user and the password (password_file or password_env)' },
  { code: 'SOURCE_UNREACHABLE', pattern: /can't connect to|unknown (mysql )?server host|lost connection|server has gone away|connection refused/i, hint: 'check that MySQL/MariaDB is running and the host, port or socket are right' },
  { code: 'SOURCE_DUMP_FAILED', pattern: /unknown database/i, hint: 'check the database name' },
];
