import { LifeboatError } from '../errors/index.js';

/** Paths of the app snapshot layout (the team's shared formats). */
export const APP_MANIFEST_PATH = '/lifeboat/app.json';
export const KEY_INVENTORY_PATH = '/secrets/keys.json';
export const DATABASES_DIR = '/databases';

export type DumpEngine = 'postgres' | 'mysql';

/** `/lifeboat/app.json`: what the app declared when the snapshot was made. */
export interface AppManifest {
  readonly app: string;
  readonly preset: string | null;
  readonly root: string | null;
  readonly databases: readonly string[];
  readonly secrets: readonly string[];
  readonly sources: readonly Record<string, unknown>[];
}

export interface EscrowedKey {
  readonly name: string;
  readonly kind: 'value' | 'file';
  readonly source: string;
  readonly fingerprint: string;
  /** Where the key's bytes are in the snapshot. */
  readonly path: string;
}

/** `/databases/<engine>/<db>.json`. */
export interface DumpManifest {
  readonly engine: DumpEngine;
  readonly database: string;
  readonly dump: string;
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
  readonly dumpedAt: string;
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new LifeboatError('INVALID_DATA', `${what} is not valid JSON; the snapshot is damaged or was not made by lifeboat backup --app`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LifeboatError('INVALID_DATA', `${what} is not a JSON object`);
  const o = v as Record<string, unknown>;
  if (o['version'] !== 1) throw new LifeboatError('INVALID_DATA', `${what} has version ${JSON.stringify(o['version'])}; this Lifeboat reads version 1`);
  return o;
}

const bad = (what: string, field: string, expected: string): LifeboatError => new LifeboatError('INVALID_DATA', `${what}: ${field} is not ${expected}`);

function str(o: Record<string, unknown>, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') throw bad(what, field, 'a non-empty string');
  return v;
}

function strOrNull(o: Record<string, unknown>, field: string, what: string): string | null {
  const v = o[field];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw bad(what, field, 'a string or null');
  return v;
}

function list(o: Record<string, unknown>, field: string, what: string): unknown[] {
  const v = o[field];
  if (!Array.isArray(v)) throw bad(what, field, 'a list');
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Database ids are `<engine>/<name>`; secret names are what the secrets source lists (`names`). */
export function parseAppManifest(bytes: Uint8Array): AppManifest {
  const what = APP_MANIFEST_PATH;
  const o = parseJson(bytes, what);
  const sources = list(o, 'sources', what).map((s, i) => {
    if (!isObject(s) || typeof s['kind'] !== 'string') throw bad(what, `sources[${i}]`, 'an object with a kind');
    return s;
  });
  const databases: string[] = [];
  const secrets: string[] = [];
  sources.forEach((s, i) => {
    if (s['kind'] === 'postgres' || s['kind'] === 'mysql') {
      if (typeof s['database'] !== 'string' || s['database'] === '') throw bad(what, `sources[${i}].database`, 'a database name');
      databases.push(`${s['kind']}/${s['database']}`);
    } else if (s['kind'] === 'secrets') {
      const names = s['names'] ?? [];
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw bad(what, `sources[${i}].names`, 'a list of names');
      secrets.push(...(names as string[]));
    }
  });
  return { app: str(o, 'app', what), preset: strOrNull(o, 'preset', what), root: strOrNull(o, 'root', what), databases, secrets, sources };
}

export function parseKeyInventory(bytes: Uint8Array): EscrowedKey[] {
  const what = KEY_INVENTORY_PATH;
  const o = parseJson(bytes, what);
  return list(o, 'keys', what).map((k, i) => {
    const w = `${what} keys[${i}]`;
    if (!isObject(k)) throw bad(w, 'the entry', 'an object');
    const kind = k['kind'];
    if (kind !== 'value' && kind !== 'file') throw bad(w, 'kind', '"value" or "file"');
    const fingerprint = str(k, 'fingerprint', w);
    if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw bad(w, 'fingerprint', '64 hex characters');
    const path = str(k, 'path', w);
    if (!path.startsWith('/secrets/')) throw bad(w, 'path', 'a path under /secrets/');
    return { name: str(k, 'name', w), kind, source: str(k, 'source', w), fingerprint, path };
  });
}

export function parseDumpManifest(bytes: Uint8Array, path: string): DumpManifest {
  const o = parseJson(bytes, path);
  const engine = o['engine'];
  if (engine !== 'postgres' && engine !== 'mysql') throw bad(path, 'engine', '"postgres" or "mysql"');
  const dump = str(o, 'dump', path);
  if (dump.includes('/') || dump.startsWith('.')) throw bad(path, 'dump', 'a file name next to it');
  const tables = list(o, 'tables', path).map((t, i) => {
    if (!isObject(t) || typeof t['name'] !== 'string' || t['name'] === '' || !Number.isSafeInteger(t['rows']) || (t['rows'] as number) < 0) {
      throw bad(path, `tables[${i}]`, 'a table name with a row count');
    }
    return { name: t['name'], rows: t['rows'] as number };
  });
  return { engine, database: str(o, 'database', path), dump, tables, dumpedAt: str(o, 'dumpedAt', path) };
}
