import type { Node } from 'yaml';
import { isMap, isScalar } from '../../lib/lazy-yaml.js';
import { childPath, type ConfigReader, type Fields } from './config-reader.js';
import { envName, resolvePath, urlHasPassword } from './config-paths.js';
import { SECRET_FORMATS, type FilesSource, type MysqlSource, type PostgresSource, type ProcessEnvSecret, type SecretFormat, type SecretValue, type SecretsSource, type SourceConfig } from './config-types.js';
import { expectedOneOf } from './suggest.js';

const KINDS = ['files', 'postgres', 'mysql', 'mariadb', 'secrets'] as const;
const FILES = ['paths', 'exclude', 'one_file_system'] as const;
const POSTGRES = ['url', 'host', 'port', 'user', 'database', 'password_file', 'password_env', 'globals'] as const;
const MYSQL = ['url', 'host', 'port', 'socket', 'user', 'database', 'password_file', 'password_env'] as const;
const SECRETS = ['files', 'values', 'process_env'] as const;
const VALUE = ['name', 'from', 'key', 'format'] as const;
const PROCESS_ENV = ['pid_file', 'process', 'names'] as const;
const RELATIVE = 'relative paths need the app to have a root';

/** One item of an app's `sources:` list: a mapping with a single key naming its kind. */
export function readSourceEntry(r: ConfigReader, raw: Node | null, path: string, root: string | undefined): SourceConfig | undefined {
  const node = r.deref(raw);
  if (!node || !isMap(node) || node.items.length !== 1) {
    r.report(raw, path, `expected a mapping with one of ${KINDS.join(', ')} (like "- files: { paths: [...] }"), got ${node && isMap(node) ? `${node.items.length} fields` : r.describe(node)}`);
    return undefined;
  }
  const pair = node.items[0]!;
  const key = r.deref(pair.key as Node | null);
  const kind = key && isScalar(key) ? String(key.value) : '';
  const value = (pair.value as Node | null) ?? null;
  const p = childPath(path, kind);
  switch (kind) {
    case 'files':
      return readFiles(r, value, p, key!, root);
    case 'postgres':
      return readPostgres(r, value, p, key!, root);
    case 'mysql':
    case 'mariadb':
      return readMysql(r, value, p, key!, root);
    case 'secrets':
      return readSecrets(r, value, p, key!, root);
    default:
      r.report(key ?? node, p, `unknown source kind "${kind}"; ${expectedOneOf(kind, KINDS)}`);
      return undefined;
  }
}

function readFiles(r: ConfigReader, node: Node | null, path: string, key: Node, root: string | undefined): FilesSource | undefined {
  const f = r.fields(node, path, key, FILES, 'a mapping with paths (and optional exclude, one_file_system)');
  if (!f) return undefined;
  const paths = r.strList(f, 'paths', 'paths', true)?.map((t, i) => resolvePath(r, t, `${childPath(path, 'paths')}[${i}]`, root, RELATIVE));
  const exclude = r.strList(f, 'exclude', 'patterns');
  const oneFileSystem = r.bool(f, 'one_file_system');
  if (!paths || paths.some((p) => p === undefined)) return undefined;
  return { kind: 'files', paths: paths as string[], ...(exclude ? { exclude: exclude.map((t) => t.value) } : {}), ...(oneFileSystem !== undefined ? { oneFileSystem } : {}) };
}

interface DbFields {
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  passwordFile?: string;
  passwordEnv?: string;
}

function readDb(r: ConfigReader, f: Fields, engine: string, root: string | undefined): DbFields {
  const url = r.str(f, 'url', `a ${engine} URL (without the password)`);
  if (url && urlHasPassword(url.value) && !url.interpolated) {
    r.report(url.node, childPath(f.path, 'url'), 'the URL contains a password; remove it and use password_file or password_env');
  }
  const host = r.str(f, 'host', 'a host name or address');
  const port = r.int(f, 'port', 1, 65535);
  const user = r.str(f, 'user', 'a user name');
  const database = r.str(f, 'database', 'a database name, or all');
  const passwordFile = resolvePath(r, r.str(f, 'password_file', 'a file holding the password'), childPath(f.path, 'password_file'), root, RELATIVE);
  const passwordEnv = envName(r, f, 'password_env');
  if (passwordFile && passwordEnv) r.report(f.at, f.path, 'both password_file and password_env; expected at most one');
  if (url && (host || port !== undefined)) r.report(f.at, f.path, 'both url and host/port; expected one way to name the server');
  return {
    ...(url ? { url: url.value } : {}),
    ...(host ? { host: host.value } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(user ? { user: user.value } : {}),
    ...(database ? { database: database.value } : {}),
    ...(passwordFile ? { passwordFile } : {}),
    ...(passwordEnv ? { passwordEnv } : {}),
  };
}

function readPostgres(r: ConfigReader, node: Node | null, path: string, key: Node, root: string | undefined): PostgresSource | undefined {
  const f = r.fields(node, path, key, POSTGRES, 'a mapping with url (or host, port, user, database) and password_file or password_env');
  if (!f) return undefined;
  const db = readDb(r, f, 'postgres://', root);
  const globals = r.bool(f, 'globals');
  return { kind: 'postgres', ...db, ...(globals !== undefined ? { globals } : {}) };
}

function readMysql(r: ConfigReader, node: Node | null, path: string, key: Node, root: string | undefined): MysqlSource | undefined {
  const f = r.fields(node, path, key, MYSQL, 'a mapping with url (or host, port, socket, user, database) and password_file or password_env');
  if (!f) return undefined;
  const db = readDb(r, f, 'mysql://', root);
  const socket = resolvePath(r, r.str(f, 'socket', 'the server socket path'), childPath(path, 'socket'), undefined, 'the socket path must be absolute');
  return { kind: 'mysql', ...db, ...(socket ? { socket } : {}) };
}

function readSecrets(r: ConfigReader, node: Node | null, path: string, key: Node, root: string | undefined): SecretsSource | undefined {
  const f = r.fields(node, path, key, SECRETS, 'a mapping with files, values or process_env');
  if (!f) return undefined;
  const files = r.strList(f, 'files', 'files')?.map((t, i) => resolvePath(r, t, `${childPath(path, 'files')}[${i}]`, root, RELATIVE));
  const values: SecretValue[] = [];
  for (const item of r.list(f, 'values', 'a list of {name, from, key, format}') ?? []) {
    const v = readValue(r, item.node, item.path, root);
    if (v) values.push(v);
  }
  const processEnv: ProcessEnvSecret[] = [];
  for (const item of r.list(f, 'process_env', 'a list of {pid_file or process, names}') ?? []) {
    const v = readProcessEnv(r, item.node, item.path);
    if (v) processEnv.push(v);
  }
  if (f.values.size === 0) r.report(f.at, path, 'is empty; expected files, values or process_env');
  const okFiles = (files ?? []).filter((x): x is string => x !== undefined);
  return { kind: 'secrets', ...(okFiles.length ? { files: okFiles } : {}), ...(values.length ? { values } : {}), ...(processEnv.length ? { processEnv } : {}) };
}

function readValue(r: ConfigReader, node: Node | null, path: string, root: string | undefined): SecretValue | undefined {
  const f = r.fields(node, path, null, VALUE, 'a mapping with name, from, and optional key and format');
  if (!f) return undefined;
  const name = r.str(f, 'name', 'the name the value is stored under', true);
  if (name && !/^[A-Za-z0-9_.-]+$/.test(name.value)) r.report(name.node, childPath(path, 'name'), 'expected letters, digits, ".", "-" and "_" (it becomes a file name under /secrets/values/)');
  const from = resolvePath(r, r.str(f, 'from', 'the file holding the value', true), childPath(path, 'from'), root, RELATIVE);
  const key = r.str(f, 'key', 'the key in the file (KEY of .env, a PHP array key, a YAML path like a.b.c)');
  const format = r.str(f, 'format', SECRET_FORMATS.join(', '));
  if (format && !(SECRET_FORMATS as readonly string[]).includes(format.value)) {
    r.report(format.node, childPath(path, 'format'), `unknown format "${format.value}"; ${expectedOneOf(format.value, SECRET_FORMATS)}`);
    return undefined;
  }
  if (!name || !from) return undefined;
  return { name: name.value, from, ...(key ? { key: key.value } : {}), ...(format ? { format: format.value as SecretFormat } : {}) };
}

function readProcessEnv(r: ConfigReader, node: Node | null, path: string): ProcessEnvSecret | undefined {
  const f = r.fields(node, path, null, PROCESS_ENV, 'a mapping with pid_file or process, and names');
  if (!f) return undefined;
  const pidFile = resolvePath(r, r.str(f, 'pid_file', 'a file holding the process ID'), childPath(path, 'pid_file'), undefined, 'the pid file must be absolute');
  const proc = r.str(f, 'process', 'a process name (as in /proc/PID/comm)');
  if ((pidFile === undefined) === (proc === undefined) && !f.values.has('pid_file') && !f.values.has('process')) r.report(f.at, path, 'missing; expected pid_file or process');
  if (pidFile !== undefined && proc !== undefined) r.report(f.at, path, 'both pid_file and process; expected one of them');
  const names = r.strList(f, 'names', 'environment variable names', true);
  if (!names) return undefined;
  return { ...(pidFile ? { pidFile } : {}), ...(proc ? { process: proc.value } : {}), names: names.map((t) => t.value) };
}
