import { LifeboatError } from '../errors/index.js';

/**
 * A JSON number kept as its source text: restic's uint64 fields (inode, device) can exceed
 * 2^53, which `JSON.parse` would round silently.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
/** Has a null prototype, so keys like `__proto__` are plain data. */
export interface JsonObject {
  [key: string]: JsonValue;
}

const MAX_DEPTH = 64;
const LONG_DIGITS = /\d{16}/;
const NON_INTEGER = /[:[,]\s*-|[:[,]\s*\d+[.eE]/;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** JSON.parse's result in this module's shape; undefined when too deep (the strict parser reports it). */
function fromNative(v: unknown, depth: number): JsonValue | undefined {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return new JsonNumber(String(v));
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(v)) {
    const out: JsonValue[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = fromNative(v[i], depth + 1);
      if (x === undefined) return undefined;
      out[i] = x;
    }
    return out;
  }
  const obj = Object.create(null) as JsonObject;
  for (const k of Object.keys(v as object)) {
    const x = fromNative((v as Record<string, unknown>)[k], depth + 1);
    if (x === undefined) return undefined;
    obj[k] = x;
  }
  return obj;
}
const LITERALS: ReadonlyArray<readonly [string, JsonValue]> = [['true', true], ['false', false], ['null', null]];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Strict RFC 8259 parser with Go's leniencies (a lone surrogate escape becomes U+FFFD).
 * Any malformed input gives LifeboatError 'INVALID_DATA' naming `what`; nesting is capped
 * so hostile input cannot overflow the stack.
 */
export function parseJson(text: string, what: string): JsonValue {
  // Fast path: JSON.parse is exact when no number can exceed 2^53 (at most 15 digits in a
  // row anywhere, strings included), none has a fraction, exponent or minus sign (their
  // text matters to Go's unsigned fields), and no string has a surrogate escape. These
  // tests may also fire inside strings; that only costs the slow path.
  if (!LONG_DIGITS.test(text) && !NON_INTEGER.test(text) && !SURROGATE_ESCAPE.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // let the strict parser say where and why
    }
    if (parsed !== undefined) {
      const v = fromNative(parsed, 0);
      if (v !== undefined) return v;
    }
  }
  const p = new Parser(text, what);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('unexpected data after the JSON value');
  return v;
}

class Parser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(why: string): never {
    throw new LifeboatError('INVALID_DATA', `invalid JSON in ${this.what} at offset ${this.pos}: ${why}`);
  }

  ws(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos);
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, v] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
  }

  object(depth: number): JsonObject {
    const obj = Object.create(null) as JsonObject;
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('expected ":"');
      this.pos++;
      this.ws();
      obj[key] = this.value(depth + 1);
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return obj;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected "," or "}"');
      }
      this.ws();
    }
  }

  array(depth: number): JsonValue[] {
    const arr: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth + 1));
      this.ws();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return arr;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected "," or "]"');
      }
      this.ws();
    }
  }

  number(): JsonNumber {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) this.fail('invalid number');
    this.pos += m[0].length;
    return new JsonNumber(m[0]);
  }

  string(): string {
    const t = this.text;
    let from = ++this.pos;
    let out = '';
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(from, this.pos++);
        return out;
      }
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(from, this.pos);
      out += this.escape();
      from = this.pos;
    }
  }

  escape(): string {
    const e = this.text[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': break;
      default:
        this.pos -= 2;
        this.fail('invalid escape in string');
    }
    const hi = this.hex4();
    if (hi < 0xd800 || hi > 0xdfff) return String.fromCharCode(hi);
    // Go pairs surrogate escapes and replaces any that stay alone with U+FFFD.
    if (hi <= 0xdbff && this.text.startsWith('\\u', this.pos)) {
      const save = this.pos;
      this.pos += 2;
      const lo = this.hex4();
      if (lo >= 0xdc00 && lo <= 0xdfff) return String.fromCharCode(hi, lo);
      this.pos = save;
    }
    return '\ufffd';
  }

  hex4(): number {
    const h = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape');
    this.pos += 4;
    return parseInt(h, 16);
  }
}
