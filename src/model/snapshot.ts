import { LifeboatError } from '../errors/index.js';
import { goJsonString, goJsonValue } from './go-json.js';
import { formatGoTime, type GoTime } from './go-time.js';
import { isId, type Id } from './id.js';
import { JsonFields } from './json-fields.js';
import { JsonNumber, parseJson, type JsonValue } from './parse-json.js';

/**
 * A snapshot file's content (restic 0.14 fields). Optional fields are absent rather than
 * empty: decoding never yields `hostname: ''`, `uid: 0` or `tags: []`.
 */
export interface Snapshot {
  readonly time: GoTime;
  readonly parent?: Id;
  /** The root tree blob. */
  readonly tree: Id;
  readonly paths: readonly string[];
  readonly hostname?: string;
  readonly username?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly excludes?: readonly string[];
  readonly tags?: readonly string[];
  /** Set by `restic tag`: the snapshot this one replaces. */
  readonly original?: Id;
  /**
   * Fields restic 0.14 does not know (`program_version` from 0.16, `summary` from 0.17),
   * as plain JSON values (integers beyond 2^53 as bigint), in file order. Written back
   * after the known fields, as newer restic orders them.
   */
  readonly extra?: Readonly<Record<string, unknown>>;
}

const KNOWN = ['time', 'parent', 'tree', 'paths', 'hostname', 'username', 'uid', 'gid', 'excludes', 'tags', 'original'];
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The snapshot file's plaintext as restic 0.14's `json.Marshal` writes it: Go field order,
 * omitempty for all but time, tree and paths, no trailing newline. Throws INVALID_ARGUMENT
 * for values restic could not read.
 */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  let out = '{"time":"' + formatGoTime(s.time) + '"';
  if (s.parent !== undefined) out += ',"parent":' + id(s.parent, 'parent');
  out += ',"tree":' + id(s.tree, 'tree');
  // An empty Go slice that was never set is nil, which Go writes as null.
  out += ',"paths":' + (s.paths.length === 0 ? 'null' : strings(s.paths));
  if (s.hostname) out += ',"hostname":' + goJsonString(s.hostname);
  if (s.username) out += ',"username":' + goJsonString(s.username);
  if (s.uid) out += ',"uid":' + uint32(s.uid, 'uid');
  if (s.gid) out += ',"gid":' + uint32(s.gid, 'gid');
  if (s.excludes?.length) out += ',"excludes":' + strings(s.excludes);
  if (s.tags?.length) out += ',"tags":' + strings(s.tags);
  if (s.original !== undefined) out += ',"original":' + id(s.original, 'original');
  for (const [k, v] of Object.entries(s.extra ?? {})) {
    if (KNOWN.includes(k)) throw new LifeboatError('INVALID_ARGUMENT', `snapshot extra field "${k}" is a known field`);
    if (v !== undefined) out += ',' + goJsonString(k) + ':' + goJsonValue(v);
  }
  return textEncoder.encode(out + '}');
}

/**
 * A snapshot from its file's plaintext. Tolerates unknown fields (kept in `extra`) and
 * missing optional ones; requires a valid tree ID. Errors are LifeboatError 'INVALID_DATA'.
 */
export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  const f: JsonFields = new JsonFields(parseJson(textDecoder.decode(bytes), 'snapshot'), 'snapshot');
  const tree = f.idOrNull('tree');
  if (tree === null) f.fail('tree', 'must be set');
  const s: Mutable<Snapshot> = { time: f.time('time'), tree, paths: f.stringList('paths') };
  const parent = f.idOrNull('parent');
  if (parent !== null) s.parent = parent;
  if (f.string('hostname')) s.hostname = f.string('hostname');
  if (f.string('username')) s.username = f.string('username');
  if (f.uint('uid', 32)) s.uid = f.uint('uid', 32);
  if (f.uint('gid', 32)) s.gid = f.uint('gid', 32);
  if (f.stringList('excludes').length > 0) s.excludes = f.stringList('excludes');
  if (f.stringList('tags').length > 0) s.tags = f.stringList('tags');
  const original = f.idOrNull('original');
  if (original !== null) s.original = original;
  // fromEntries defines own properties, so a key like "__proto__" stays plain data.
  const extra = Object.fromEntries(Object.entries(f.obj).filter(([k]) => !KNOWN.includes(k)).map(([k, v]) => [k, plain(v)]));
  if (Object.keys(extra).length > 0) s.extra = extra;
  return s;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) {
    const n = Number(v.text);
    return Number.isSafeInteger(n) || !/^-?\d+$/.test(v.text) ? n : BigInt(v.text);
  }
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function id(v: string, what: string): string {
  if (!isId(v)) throw new LifeboatError('INVALID_ARGUMENT', `snapshot ${what} "${String(v).slice(0, 80)}" is not a 64-digit hex ID`);
  return '"' + v + '"';
}

function uint32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new LifeboatError('INVALID_ARGUMENT', `snapshot ${what} ${v} is not a uint32`);
  return v;
}

function strings(list: readonly string[]): string {
  return '[' + list.map((x) => goJsonString(x)).join(',') + ']';
}
