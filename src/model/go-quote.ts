import { LifeboatError } from '../errors/index.js';
import { goIsPrint } from './go-is-print.js';
import { goDecodeRune, goRuneLength } from './go-utf8.js';

// Names that need no escaping at all: printable ASCII other than `"` and `\`.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
const HEX = '0123456789abcdef';

const textEncoder = new TextEncoder();

/**
 * Go's `strconv.Quote` of the raw name bytes, without the outer quotes: the form restic
 * stores in a tree node's `name` (before JSON encoding). File names are bytes, not text,
 * so invalid UTF-8 survives as `\xHH` escapes.
 */
export function goQuote(name: Uint8Array): string {
  const ascii = Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString('latin1');
  if (PLAIN_ASCII.test(ascii)) return ascii;
  let out = '';
  for (let i = 0; i < name.length; ) {
    const cp = goDecodeRune(name, i);
    if (cp < 0) {
      out += '\\x' + hex(name[i]!, 2);
      i += 1;
      continue;
    }
    i += goRuneLength(cp);
    if (cp === 0x22 || cp === 0x5c) out += '\\' + String.fromCharCode(cp);
    else if (goIsPrint(cp)) out += String.fromCodePoint(cp);
    else if (SHORT_ESCAPES[cp] !== undefined) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out;
}

/**
 * Inverse of {@link goQuote}: Go's `strconv.Unquote` of `"` + s + `"`. Accepts everything Go
 * accepts (octal `\NNN`, `\xHH`, `\u`, `\U`, raw printable runes, raw tabs) and rejects what
 * Go rejects (an unescaped `"` or newline, `\'`, bad or unknown escapes), so a name restic
 * cannot load is not silently accepted here either. Lone surrogates in `s` become U+FFFD,
 * as Go's JSON decoder would have produced.
 */
export function goUnquote(s: string): Uint8Array {
  const src = textEncoder.encode(s);
  if (!/["\\\n]/.test(s)) return src;
  const out = new Uint8Array(src.length); // every escape is longer than what it yields
  let o = 0;
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    if (c === 0x22) fail(s, 'unescaped double quote');
    if (c === 0x0a) fail(s, 'unescaped newline');
    if (c !== 0x5c) {
      out[o++] = c;
      i++;
      continue;
    }
    if (i + 1 >= src.length) fail(s, 'trailing backslash');
    const e = src[i + 1]!;
    i += 2;
    const short = UNESCAPE[e];
    if (short !== undefined) {
      out[o++] = short;
    } else if (e === 0x78) {
      out[o++] = readHex(s, src, i, 2);
      i += 2;
    } else if (e === 0x75 || e === 0x55) {
      const len = e === 0x75 ? 4 : 8;
      const cp = readHex(s, src, i, len);
      i += len;
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(s, `escape is not a valid code point`);
      o += textEncoder.encodeInto(String.fromCodePoint(cp), out.subarray(o)).written;
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let k = 0; k < 2; k++, i++) {
        const d = src[i];
        if (d === undefined || d < 0x30 || d > 0x37) fail(s, 'octal escape needs three digits');
        v = v * 8 + (d - 0x30);
      }
      if (v > 255) fail(s, 'octal escape above \\377');
      out[o++] = v;
    } else {
      fail(s, `unknown escape \\${String.fromCharCode(e)}`);
    }
  }
  return out.slice(0, o);
}

// `\'` is deliberately absent: Go's Unquote rejects it inside double quotes.
const UNESCAPE: Record<number, number> = {
  0x61: 7, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11, 0x5c: 0x5c, 0x22: 0x22,
};

function readHex(s: string, src: Uint8Array, i: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) {
    const d = hexValue(src[i + k]);
    if (d < 0) fail(s, `escape needs ${len} hex digits`);
    v = v * 16 + d;
  }
  return v;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function hex(v: number, digits: number): string {
  let r = '';
  for (let k = digits - 1; k >= 0; k--) r += HEX[Math.floor(v / 16 ** k) % 16];
  return r;
}

function fail(s: string, why: string): never {
  throw new LifeboatError('INVALID_DATA', `invalid Go-quoted name ${JSON.stringify(s.slice(0, 80))}: ${why}`);
}
