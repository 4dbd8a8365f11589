import { LifeboatError } from '../errors/index.js';
import type { DbConnection } from './source-specs.js';

/**
 * A libpq connection URL without any password, for `--dbname=` (libpq reads the rest of the
 * URL, sslmode and all), and the password apart, for PGPASSWORD: never in argv.
 */
export interface PgTarget {
  readonly url: string;
  readonly password: string | undefined;
  /** host:port or the socket, for messages. */
  readonly where: string;
  /** The database the URL names, if any. */
  readonly database: string | undefined;
}

export function pgTarget(c: DbConnection, database: string | undefined): PgTarget {
  if (c.url !== undefined) return fromUrl(c.url, c.password, database, c.user);
  const host = c.host ?? '';
  const auth = c.user ? `${encodeURIComponent(c.user)}@` : '';
  const hostPart = host.startsWith('/') ? '' : `${host.includes(':') ? `[${host}]` : host}${c.port ? `:${c.port}` : ''}`;
  const db = database ?? '';
  const query = host.startsWith('/') ? `?host=${encodeURIComponent(host)}${c.port ? `&port=${c.port}` : ''}` : '';
  return { url: `postgresql://${auth}${hostPart}/${encodeURIComponent(db)}${query}`, password: c.password, where: host === '' ? 'the local socket' : `${host}${c.port ? `:${c.port}` : ''}`, database: database };
}

function fromUrl(text: string, password: string | undefined, database: string | undefined, user: string | undefined): PgTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new LifeboatError('INVALID_ARGUMENT', 'the PostgreSQL URL is not a valid URL; expected postgres://user@host:port/database');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new LifeboatError('INVALID_ARGUMENT', `a PostgreSQL URL starts with postgres:// or postgresql://, not ${u.protocol}//`);
  const fromUrlPassword = u.password !== '' ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  if (user !== undefined && u.username === '') u.username = encodeURIComponent(user);
  const urlDb = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const db = database ?? (urlDb === '' ? undefined : urlDb);
  u.pathname = `/${encodeURIComponent(db ?? '')}`;
  const hostParam = u.searchParams.get('host');
  const where = u.hostname !== '' ? `${u.hostname}${u.port ? `:${u.port}` : ''}` : (hostParam ?? 'the local socket');
  return { url: u.toString().replace(/^postgres:/, 'postgresql:'), password: password ?? fromUrlPassword, where, database: db };
}

/** Environment for libpq tools: the password, English messages (matched by the failure rules), no prompt hang. */
export function pgEnv(t: PgTarget): Record<string, string> {
  return { LC_MESSAGES: 'C', PGCONNECT_TIMEOUT: '10', ...(t.password !== undefined ? { PGPASSWORD: t.password } : {}) };
}
