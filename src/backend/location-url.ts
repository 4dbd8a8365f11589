import { LifeboatError } from '../errors/index.js';

/** A repository location parsed from a URL as restic writes it; nothing opened yet. */
export type LocationSpec =
  | { readonly kind: 'local'; readonly path: string; readonly query: Readonly<Record<string, string>> }
  | {
      readonly kind: 'sftp';
      readonly user?: string;
      /** Only from `sftp://user:password@host/...`; never printed. Prefer LIFEBOAT_SFTP_PASSWORD_FILE. */
      readonly password?: string;
      readonly host: string;
      readonly port?: number;
      /** Absolute, or relative to the login's home folder. */
      readonly path: string;
      readonly query: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 's3';
      /** `https://host:port` (https unless the URL says http). */
      readonly endpoint: string;
      readonly bucket: string;
      readonly prefix: string;
      readonly query: Readonly<Record<string, string>>;
    };

/** decodeURIComponent that reports a malformed escape (`%zz`) as a bad location, not a crash. */
function decode(input: string, s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // The part is not echoed: it may be a password.
    throw bad(input, "malformed %-escape (a % must be followed by two hex digits)");
  }
}

function bad(url: string, why: string): LifeboatError {
  return new LifeboatError('INVALID_ARGUMENT', `invalid repository location "${redactUrl(url)}": ${why}`);
}

/** Splits `?a=1&b=2` off the end; option names are Lifeboat's (see README: location options). */
function splitQuery(s: string): [string, Record<string, string>] {
  const i = s.indexOf('?');
  if (i < 0) return [s, {}];
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(s.slice(i + 1))) query[k] = v;
  return [s.slice(0, i), query];
}

/**
 * Parses the URL forms restic accepts: `/path`, `relative/path`, `local:/path`,
 * `sftp:user@host:/abs` or `sftp:user@host:rel`, `sftp://user@host:port//abs` or `/rel`,
 * `s3:https://host:port/bucket/prefix`, `s3:host/bucket/prefix` (https). Lifeboat adds an
 * optional `?option=value` query for per-location options.
 */
export function parseLocationUrl(input: string): LocationSpec {
  if (input === '') throw new LifeboatError('INVALID_ARGUMENT', 'the repository location is empty; pass -r/--repo or set LIFEBOAT_REPOSITORY');
  const [url, query] = splitQuery(input);
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1];
  if (scheme === 'sftp') return parseSftp(input, url.slice(5), query);
  if (scheme === 's3') return parseS3(input, url.slice(3), query);
  if (scheme === 'local') return { kind: 'local', path: url.slice(6), query };
  if (scheme && scheme.length > 1 && !/^[a-z]:[\\/]/i.test(url)) {
    throw bad(input, `repository type "${scheme}:" is not supported; use a local path, sftp:user@host:/path or s3:https://host/bucket/prefix`);
  }
  return { kind: 'local', path: url, query: {} };
}

function parseSftp(input: string, rest: string, query: Record<string, string>): LocationSpec {
  if (rest.startsWith('//')) {
    let u: URL;
    try {
      u = new URL(`sftp:${rest}`);
    } catch {
      throw bad(input, 'expected sftp://user@host:port//absolute/path');
    }
    if (!u.hostname) throw bad(input, 'no host');
    const path = decode(input, u.pathname).slice(1);
    if (path === '') throw bad(input, 'no path; use sftp://user@host//absolute/path or sftp://user@host/path-under-home');
    return {
      kind: 'sftp',
      ...(u.username ? { user: decode(input, u.username) } : {}),
      ...(u.password ? { password: decode(input, u.password) } : {}),
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      ...(u.port ? { port: Number(u.port) } : {}),
      path,
      query,
    };
  }
  // sftp:[user@]host:path, host possibly [ipv6]
  const m = /^(?:([^@/]+)@)?(\[[^\]]+\]|[^:/[\]]+):(.+)$/.exec(rest);
  if (!m) throw bad(input, 'expected sftp:user@host:/path');
  return { kind: 'sftp', ...(m[1] ? { user: m[1] } : {}), host: m[2]!.replace(/^\[(.*)\]$/, '$1'), path: m[3]!, query };
}

function parseS3(input: string, rest: string, query: Record<string, string>): LocationSpec {
  const withScheme = /^https?:\/\//.test(rest) ? rest : `https://${rest}`;
  // Checked before URL parsing, which would quietly resolve them into another bucket.
  if (/\/\.\.?(\/|$)/.test(withScheme.replace(/^https?:\/\//, ''))) throw bad(input, 'the bucket and prefix may not contain "." or ".." segments');
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw bad(input, 'expected s3:https://host/bucket/prefix');
  }
  const parts = decode(input, u.pathname).split('/').filter((p) => p !== '');
  if (parts.length === 0) throw bad(input, 'no bucket; expected s3:https://host/bucket/prefix');
  if (parts.some((p) => p === '.' || p === '..')) throw bad(input, 'the prefix may not contain "." or ".." segments');
  return { kind: 's3', endpoint: `${u.protocol}//${u.host}`, bucket: parts[0]!, prefix: parts.slice(1).join('/'), query };
}

/** The URL with any `user:password@` password removed: safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/^((?:sftp|s3:https?|s3|https?):\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}
