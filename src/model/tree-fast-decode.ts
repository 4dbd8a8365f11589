import { daysFromCivil, type GoTime } from './go-time.js';
import type { Id } from './id.js';
import { NO_XATTRS, isNodeType, nodeNameProblem, type Node, type NodeType } from './node.js';

// A tree decoder for the shape restic and Lifeboat write: it goes from the text straight to
// Nodes, without JsonValue objects, JsonNumber texts, regexes or BigInt parsing per field.
// An unchanged re-backup decodes every tree of the parent snapshot, so this is most of its
// CPU after the lstat calls. Anything it does not handle (escapes in strings, unknown keys,
// extended attributes, large or odd numbers, unusual times) and anything invalid makes it
// give up: then the general decoder in tree.ts decides, and names the error.

/** Thrown to give up; never escapes this module. */
const BAIL = Symbol('bail');

const NS = 1_000_000_000n;
const DAY = 86_400;
const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const ZERO_TIME: GoTime = { unixNs: -62_135_596_800n * NS, offsetSeconds: 0 };

/** The nodes of a tree blob's text, or undefined when the general decoder must decide. */
export function fastDecodeTree(text: string): Node[] | undefined {
  // Without escapes and control characters (a final newline aside) every string ends at the
  // next quote, which indexOf finds natively; restic and Lifeboat write trees like that
  // unless a name or owner needs escaping.
  // One pass over the text in the usual case (plain ASCII); two when it holds anything else.
  const plainAscii = !NOT_PLAIN_ASCII.test(text);
  if (!plainAscii && ESCAPE_OR_CONTROL.test(text)) return undefined;
  try {
    return new Scanner(text, plainAscii || !NON_ASCII.test(text)).tree();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const ESCAPE_OR_CONTROL = /[\x00-\x09\x0b-\x1f\\]|\n(?!$)/;
const NON_ASCII = /[^\x00-\x7f]/;
/** Anything but printable ASCII without a backslash, or a newline before the end. */
const NOT_PLAIN_ASCII = /[^\n\x20-\x5b\x5d-\x7f]|\n(?!$)/;

function bail(): never {
  throw BAIL;
}

class Scanner {
  pos = 0;
  /** Where the next key is looked for first: restic writes them in KEYS order. */
  hint = 0;
  /**
   * The last time read for each of mtime, atime and ctime (text and value), and the last of
   * any: a tree's files often share an mtime (an unpacked archive), a node's mtime and ctime
   * are often equal.
   */
  lastTimeText = ['', '', '', ''];
  lastTime = [ZERO_TIME, ZERO_TIME, ZERO_TIME, ZERO_TIME];

  constructor(
    readonly t: string,
    readonly ascii: boolean,
  ) {}

  ws(): void {
    const t = this.t;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos);
  }

  /** Skips whitespace, then expects `ch`. */
  expect(ch: number): void {
    this.ws();
    if (this.t.charCodeAt(this.pos) !== ch) bail();
    this.pos++;
  }

  /** Whether the next token is `ch` (consumed if so). */
  take(ch: number): boolean {
    this.ws();
    if (this.t.charCodeAt(this.pos) !== ch) return false;
    this.pos++;
    return true;
  }

  tree(): Node[] {
    this.expect(0x7b);
    if (this.str() !== 'nodes') bail();
    this.expect(0x3a);
    this.expect(0x5b);
    const nodes: Node[] = [];
    if (!this.take(0x5d)) {
      do nodes.push(this.node());
      while (this.take(0x2c));
      this.expect(0x5d);
    }
    this.expect(0x7d);
    this.ws();
    if (this.pos !== this.t.length) bail();
    return nodes;
  }

  /** A string without escapes or control characters (else bail). */
  str(): string {
    const from = this.strEnd();
    return this.t.slice(from, this.pos - 1);
  }

  /** Scans a string like {@link str}; returns where its content starts (it ends before `pos - 1`). */
  strEnd(): number {
    this.ws();
    const t = this.t;
    if (t.charCodeAt(this.pos) !== 0x22) bail();
    const from = this.pos + 1;
    const end = t.indexOf('"', from);
    if (end < 0) bail();
    this.pos = end + 1;
    return from;
  }

  /** A string's UTF-8 bytes; ASCII (the usual name) is copied without an encoder call. */
  bytes(): Uint8Array {
    const from = this.strEnd();
    const to = this.pos - 1;
    if (!this.ascii) return textEncoder.encode(this.t.slice(from, to));
    const out = new Uint8Array(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.t.charCodeAt(i);
    return out;
  }

  /** The next object key as a number (KEYS index), or -1 for a key this decoder does not know. */
  key(): number {
    const from = this.strEnd();
    const len = this.pos - 1 - from;
    const t = this.t;
    for (let j = 0, k = this.hint; j < KEYS.length; j++, k = k + 1 === KEYS.length ? 0 : k + 1) {
      const name = KEYS[k]!;
      if (name.length === len && t.startsWith(name, from)) {
        this.hint = k + 1 === KEYS.length ? 0 : k + 1;
        return k;
      }
    }
    return -1;
  }

  /** `null` (consumed, true) or not (false). */
  isNull(): boolean {
    this.ws();
    // The first letter before a string comparison: this runs for every value of every node.
    if (this.t.charCodeAt(this.pos) === 0x6e && this.t.startsWith('null', this.pos)) {
      this.pos += 4;
      return true;
    }
    return false;
  }

  /** An unsigned integer of at most 15 digits, as Go would accept it (no sign, fraction or leading 0). */
  uint(): number {
    this.ws();
    const t = this.t;
    const from = this.pos;
    let n = 0;
    let c = t.charCodeAt(this.pos);
    while (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      c = t.charCodeAt(++this.pos);
    }
    const len = this.pos - from;
    if (len === 0 || len > 15 || (len > 1 && t.charCodeAt(from) === 0x30)) bail();
    if (c === 0x2e || c === 0x65 || c === 0x45) bail(); // a fraction or exponent
    return n;
  }

  uint32(): number {
    const n = this.uint();
    if (n > 0xffffffff) bail();
    return n;
  }

  id(): Id {
    const s = this.str();
    if (s.length !== 64) bail();
    for (let i = 0; i < 64; i++) {
      const c = s.charCodeAt(i);
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) bail();
    }
    return s;
  }

  ids(): Id[] {
    this.expect(0x5b);
    const out: Id[] = [];
    if (this.take(0x5d)) return out;
    do out.push(this.id());
    while (this.take(0x2c));
    this.expect(0x5d);
    return out;
  }

  node(): Node {
    let name: Uint8Array | undefined;
    let type: NodeType | undefined;
    let mode = 0, uid = 0, gid = 0, size = 0, links = 0;
    let mtime = ZERO_TIME, atime = ZERO_TIME, ctime = ZERO_TIME;
    let user = '', group = '', error = '';
    let inode = 0n, deviceId = 0n, device = 0n;
    let linktarget: Uint8Array = EMPTY;
    let content: Id[] | null = null;
    let subtree: Id | null = null;
    this.expect(0x7b);
    if (!this.take(0x7d)) {
      do {
        const key = this.key();
        this.expect(0x3a);
        // Go leaves the zero value for null (`name` and `type` then fail the checks below).
        const isNull = this.isNull();
        switch (key) {
          case K.name: name = isNull ? undefined : this.bytes(); break;
          case K.type: {
            const s = isNull ? undefined : this.str();
            if (!isNodeType(s)) bail();
            type = s;
            break;
          }
          case K.mode: mode = isNull ? 0 : this.uint32(); break;
          case K.mtime: mtime = isNull ? ZERO_TIME : this.time(0); break;
          case K.atime: atime = isNull ? ZERO_TIME : this.time(1); break;
          case K.ctime: ctime = isNull ? ZERO_TIME : this.time(2); break;
          case K.uid: uid = isNull ? 0 : this.uint32(); break;
          case K.gid: gid = isNull ? 0 : this.uint32(); break;
          case K.user: user = isNull ? '' : this.str(); break;
          case K.group: group = isNull ? '' : this.str(); break;
          case K.inode: inode = isNull ? 0n : BigInt(this.uint()); break;
          case K.device_id: deviceId = isNull ? 0n : BigInt(this.uint()); break;
          case K.size: size = isNull ? 0 : this.uint(); break;
          case K.links: links = isNull ? 0 : this.uint(); break;
          case K.linktarget: linktarget = isNull ? EMPTY : this.bytes(); break;
          case K.device: device = isNull ? 0n : BigInt(this.uint()); break;
          case K.content: content = isNull ? null : this.ids(); break;
          case K.subtree: subtree = isNull ? null : this.id(); break;
          case K.error: error = isNull ? '' : this.str(); break;
          default: bail(); // extended attributes, linktarget_raw, unknown fields
        }
      } while (this.take(0x2c));
      this.expect(0x7d);
    }
    if (name === undefined || type === undefined || nodeNameProblem(name) !== undefined) bail();
    if (type === 'file' && content === null) bail();
    if (type === 'dir' && subtree === null) bail();
    // Same fields in the same order as nodeFromJson, so that both make objects of one shape.
    return {
      name, type, mode, mtime, atime, ctime, uid, gid, user, group, inode, deviceId, size, links, linktarget,
      extendedAttributes: NO_XATTRS, device, content, subtree, error,
    };
  }

  /** A time, for the field numbered `field` (0 mtime, 1 atime, 2 ctime; 3 holds the last of any). */
  time(field: number): GoTime {
    const from = this.strEnd();
    const end = this.pos - 1;
    const t = this.t;
    const texts = this.lastTimeText;
    const times = this.lastTime;
    let text = texts[field]!;
    if (text.length === end - from && t.startsWith(text, from)) return times[field]!;
    text = texts[3]!;
    let value: GoTime;
    if (text.length === end - from && t.startsWith(text, from)) value = times[3]!;
    else {
      text = t.slice(from, end);
      value = parseTime(t, from, end);
      texts[3] = text;
      times[3] = value;
    }
    texts[field] = text;
    times[field] = value;
    return value;
  }
}

/** The keys handled here, in the order restic writes them (the usual key is found early). */
const KEYS = ['name', 'type', 'mode', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'user', 'group', 'inode', 'device_id', 'size', 'links', 'linktarget', 'device', 'content', 'subtree', 'error'] as const;
const K = Object.fromEntries(KEYS.map((k, i) => [k, i])) as { readonly [k in (typeof KEYS)[number]]: number };

/** The value of `n` decimal digits at `at`, or NaN when one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 0x30;
    v = c >= 0 && c <= 9 ? v * 10 + c : NaN;
  }
  return v;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** `2006-01-02T15:04:05[.999999999](Z|±07:00)` in upper case, in s[at, end); anything else bails. */
function parseTime(s: string, at: number, end: number): GoTime {
  if (end - at < 20 || s.charCodeAt(at + 4) !== 0x2d || s.charCodeAt(at + 7) !== 0x2d || s.charCodeAt(at + 10) !== 0x54 || s.charCodeAt(at + 13) !== 0x3a || s.charCodeAt(at + 16) !== 0x3a) bail();
  const y = digits(s, at, 4), mo = digits(s, at + 5, 2), d = digits(s, at + 8, 2);
  const h = digits(s, at + 11, 2), mi = digits(s, at + 14, 2), sec = digits(s, at + 17, 2);
  // NaN fails every comparison, so `!(x <= max)` also catches a non-digit.
  if (!(y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && sec <= 59)) bail();
  let i = at + 19;
  let frac = 0;
  if (s.charCodeAt(i) === 0x2e) {
    const from = ++i;
    while (i < end && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    const n = i - from;
    if (n === 0 || n > 9) bail();
    frac = digits(s, from, n) * POW10[9 - n]!;
  }
  let off = 0;
  const z = s.charCodeAt(i);
  if (z === 0x5a) {
    if (i + 1 !== end) bail();
  } else if (z === 0x2b || z === 0x2d) {
    if (i + 6 !== end || s.charCodeAt(i + 3) !== 0x3a) bail();
    const oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (!(oh <= 23 && om <= 59)) bail();
    off = oh * 3600 + om * 60;
    if (z === 0x2d && off !== 0) off = -off;
  } else {
    bail();
  }
  const secs = daysFromCivil(y, mo, d) * DAY + h * 3600 + mi * 60 + sec - off;
  return { unixNs: BigInt(secs) * NS + BigInt(frac), offsetSeconds: off };
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}
