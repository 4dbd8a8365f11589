import { LifeboatError } from '../errors/index.js';
import { goDecodeRune, goRuneLength } from './go-utf8.js';

// Anything Go 1.19's encoding/json (with its default HTML escaping) would not copy
// verbatim: `"` `\` `<` `>` `&`, control characters, U+2028/U+2029 and surrogates (a
// paired surrogate is fine, but the slow path sorts that out).
const NEEDS_ESCAPE = /["\\<>&\x00-\x1f\u2028\u2029\ud800-\udfff]/;
const HEX = '0123456789abcdef';

/**
 * A JSON string literal (with quotes) exactly as Go 1.19's `json.Marshal` writes `s`:
 * HTML-safe escapes, `\n` `\r` `\t` short forms, other controls as `\u00XX` (Go 1.19 has no
 * `\b`/`\f`), U+2028/U+2029 escaped, and a lone surrogate as `\ufffd`.
 */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x80) esc = asciiEscape(c);
    else if (c === 0x2028 || c === 0x2029) esc = '\\u' + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1); // NaN past the end
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else esc = '\\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) esc = '\\ufffd';
    if (esc === undefined) continue;
    out += s.slice(from, i) + esc;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

/**
 * Like {@link goJsonString} for a Go string holding raw bytes: each byte that is not part of
 * valid UTF-8 becomes `\ufffd`, as Go writes it (and as restic 0.14 loses symlink targets).
 */
export function goJsonBytes(b: Uint8Array): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < b.length; ) {
    const cp = goDecodeRune(b, i);
    let esc: string | undefined;
    if (cp < 0) esc = '\\ufffd';
    else if (cp < 0x80) esc = asciiEscape(cp);
    else if (cp === 0x2028 || cp === 0x2029) esc = '\\u' + cp.toString(16);
    const next = i + (cp < 0 ? 1 : goRuneLength(cp));
    if (esc !== undefined) {
      out += utf8(b, from, i) + esc;
      from = next;
    }
    i = next;
  }
  return out + utf8(b, from, b.length) + '"';
}

/**
 * Go-style JSON for a plain value (string, finite number, bigint, boolean, null, array,
 * plain object in insertion order). Used to write back fields Lifeboat does not model,
 * such as a snapshot's `summary`.
 */
export function goJsonValue(v: unknown, depth = 0): string {
  if (depth > 64) throw new LifeboatError('INVALID_ARGUMENT', 'JSON value nested too deeply');
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return goJsonString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new LifeboatError('INVALID_ARGUMENT', `cannot write ${v} as JSON`);
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return '[' + v.map((x) => goJsonValue(x, depth + 1)).join(',') + ']';
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new LifeboatError('INVALID_ARGUMENT', 'only plain objects can be written as JSON');
      }
      const parts = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => goJsonString(k) + ':' + goJsonValue(x, depth + 1));
      return '{' + parts.join(',') + '}';
    }
    default:
      throw new LifeboatError('INVALID_ARGUMENT', `cannot write a ${typeof v} as JSON`);
  }
}

function asciiEscape(c: number): string | undefined {
  if (c === 0x22) return '\\"';
  if (c === 0x5c) return '\\\\';
  if (c === 0x0a) return '\\n';
  if (c === 0x0d) return '\\r';
  if (c === 0x09) return '\\t';
  if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) return '\\u00' + HEX[c >> 4] + HEX[c & 15];
  return undefined;
}

function utf8(b: Uint8Array, from: number, to: number): string {
  return from === to ? '' : Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('utf8');
}
