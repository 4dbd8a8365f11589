import { LifeboatError } from '../errors/index.js';
import { goJsonBytes, goJsonString } from './go-json.js';
import { goQuote, goUnquote } from './go-quote.js';
import { formatGoTime, type GoTime } from './go-time.js';
import { isId } from './id.js';
import { JsonFields } from './json-fields.js';
import { checkNodeName, isNodeType, type ExtendedAttribute, type Node } from './node.js';
import type { JsonValue } from './parse-json.js';

const U64_MAX = 2n ** 64n - 1n;
const textEncoder = new TextEncoder();

/**
 * One node as restic 0.14's `json.Marshal(node)` writes it: Go field order, omitempty
 * where Go has it, the name Go-quoted and then JSON-encoded. Throws INVALID_ARGUMENT for
 * a node restic could not read back or restore.
 */
export function nodeToJson(n: Node): string {
  checkNodeName(n.name, 'INVALID_ARGUMENT');
  const bad = (why: string): never => {
    throw new LifeboatError('INVALID_ARGUMENT', `tree node ${JSON.stringify(goQuote(n.name))}: ${why}`);
  };
  if (n.type === 'file' && n.content === null) bad('a file needs content ([] when empty)');
  if (n.type === 'dir' && n.subtree === null) bad('a dir needs a subtree');
  let s = '{"name":' + goJsonString(goQuote(n.name)) + ',"type":"' + n.type + '"';
  if (uint(n.mode, 32, 'mode', bad) !== 0) s += ',"mode":' + n.mode;
  s += ',"mtime":' + time(n.mtime) + ',"atime":' + time(n.atime) + ',"ctime":' + time(n.ctime);
  s += ',"uid":' + uint(n.uid, 32, 'uid', bad) + ',"gid":' + uint(n.gid, 32, 'gid', bad);
  if (n.user !== '') s += ',"user":' + goJsonString(n.user);
  if (n.group !== '') s += ',"group":' + goJsonString(n.group);
  if (u64(n.inode, 'inode', bad) !== 0n) s += ',"inode":' + n.inode;
  if (u64(n.deviceId, 'deviceId', bad) !== 0n) s += ',"device_id":' + n.deviceId;
  if (uint(n.size, 64, 'size', bad) !== 0) s += ',"size":' + n.size;
  if (uint(n.links, 64, 'links', bad) !== 0) s += ',"links":' + n.links;
  if (n.linktarget.length > 0) s += ',"linktarget":' + linktargetJson(n.linktarget);
  if (n.extendedAttributes.length > 0) s += ',"extended_attributes":[' + n.extendedAttributes.map(xattrJson).join(',') + ']';
  if (u64(n.device, 'device', bad) !== 0n) s += ',"device":' + n.device;
  s += ',"content":' + (n.content === null ? 'null' : '[' + n.content.map((id) => idJson(id, bad)).join(',') + ']');
  if (n.subtree !== null) s += ',"subtree":' + idJson(n.subtree, bad);
  if (n.error !== '') s += ',"error":' + goJsonString(n.error);
  return s + '}';
}

/**
 * A node from its decoded JSON object, with Go's tolerance (unknown fields, any key order,
 * null for zero) and strictness where restore depends on it. Errors are INVALID_DATA.
 */
export function nodeFromJson(v: JsonValue, where: string): Node {
  const f: JsonFields = new JsonFields(v, where);
  const name = goUnquote(f.string('name'));
  checkNodeName(name, 'INVALID_DATA');
  const type = f.obj['type'];
  if (!isNodeType(type)) f.fail('type', `is not a known node type (${JSON.stringify(type)})`);
  const content = f.idListOrNull('content');
  const subtree = f.idOrNull('subtree');
  if (type === 'file' && content === null) f.fail('content', 'must be a list for a file ([] when empty)');
  if (type === 'dir' && subtree === null) f.fail('subtree', 'must be set for a dir');
  // restic 0.16+ keeps the exact target bytes beside the lossy text.
  const linktarget = f.has('linktarget_raw') ? f.bytes('linktarget_raw') : textEncoder.encode(f.string('linktarget'));
  return {
    name,
    type,
    mode: f.uint('mode', 32),
    mtime: f.time('mtime'),
    atime: f.time('atime'),
    ctime: f.time('ctime'),
    uid: f.uint('uid', 32),
    gid: f.uint('gid', 32),
    user: f.string('user'),
    group: f.string('group'),
    inode: f.uintBig('inode', 64),
    deviceId: f.uintBig('device_id', 64),
    size: f.uint('size', 64),
    links: f.uint('links', 64),
    linktarget,
    extendedAttributes: f.list('extended_attributes').map((x, i) => xattrFromJson(x, `${where} extended attribute ${i}`)),
    device: f.uintBig('device', 64),
    content,
    subtree,
    error: f.string('error'),
  };
}

function xattrFromJson(v: JsonValue, where: string): ExtendedAttribute {
  const f: JsonFields = new JsonFields(v, where);
  return { name: f.string('name'), value: f.bytes('value') };
}

function xattrJson(x: ExtendedAttribute): string {
  const b = Buffer.from(x.value.buffer, x.value.byteOffset, x.value.byteLength);
  return '{"name":' + goJsonString(x.name) + ',"value":"' + b.toString('base64') + '"}';
}

/**
 * Go writes each invalid UTF-8 byte as `\ufffd`. Reading that back yields a real U+FFFD,
 * so U+FFFD is written as that escape too: re-encoding a restic 0.14 tree then gives the
 * same bytes. Only a target that really contains U+FFFD differs from restic (literal there).
 */
function linktargetJson(b: Uint8Array): string {
  return goJsonBytes(b).replaceAll('\ufffd', '\\ufffd');
}

function time(t: GoTime): string {
  return '"' + formatGoTime(t) + '"';
}

function idJson(id: string, bad: (why: string) => never): string {
  if (!isId(id)) bad(`invalid ID "${String(id).slice(0, 80)}"`);
  return '"' + id + '"';
}

function uint(v: number, bits: 32 | 64, what: string, bad: (why: string) => never): number {
  const max = bits === 32 ? 0xffffffff : Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(v) || v < 0 || v > max) bad(`${what} ${v} is not an unsigned ${bits === 32 ? '32-bit ' : ''}integer`);
  return v;
}

function u64(v: bigint, what: string, bad: (why: string) => never): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) bad(`${what} ${String(v)} is not a uint64 bigint`);
  return v;
}
