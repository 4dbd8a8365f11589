import { LifeboatError } from '../errors/index.js';

/** The values a PHP config array literal holds. Arrays keep their keys (list items get 0, 1...). */
export type PhpValue = string | number | boolean | null | PhpArray;
export type PhpArray = Map<string, PhpValue>;

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'word'; v: string } | { t: 'punct'; v: string };

/**
 * Reads the array a PHP config file assigns (`$parameters = array(...)`, `$CONFIG = [...]`,
 * or `return [...]`), as Mautic's local.php and Nextcloud's config.php are written. Only
 * literals: anything computed is an error naming the file, never a value.
 */
export function parsePhpConfig(text: string, file = 'config.php'): PhpArray {
  const tokens = tokenize(text, file);
  let i = tokens.findIndex((tk, k) => tk.t === 'punct' && tk.v === '=' && isArrayStart(tokens, k + 1));
  if (i < 0) i = tokens.findIndex((tk, k) => tk.t === 'word' && tk.v.toLowerCase() === 'return' && isArrayStart(tokens, k + 1));
  if (i < 0) throw bad(file, 'no array assignment found (expected $parameters = array(...) or $CONFIG = [...])');
  const p = { i: i + 1 };
  const v = parseValue(tokens, p, file);
  return v as PhpArray;
}

function isArrayStart(tokens: Token[], k: number): boolean {
  const a = tokens[k];
  return (a?.t === 'punct' && a.v === '[') || (a?.t === 'word' && a.v.toLowerCase() === 'array' && tokens[k + 1]?.t === 'punct' && tokens[k + 1]!.v === '(');
}

function bad(file: string, what: string): LifeboatError {
  return new LifeboatError('INVALID_DATA', `${file}: cannot read it as a PHP config: ${what}`);
}

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = text.indexOf('<?php');
  i = i < 0 ? 0 : i + 5;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) i++;
    else if (text.startsWith('//', i) || ch === '#') i = skipTo(text, i, '\n');
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw bad(file, 'unterminated comment');
      i = end + 2;
    } else if (text.startsWith('?>', i)) break;
    else if (ch === "'" || ch === '"') {
      let v = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== ch; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const e = text[j + 1]!;
          if (ch === "'") v += e === "'" || e === '\\' ? e : '\\' + e;
          else v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '$' || e === '"' || e === '\\' ? e : '\\' + e;
          j++;
        } else {
          if (ch === '"' && text[j] === '$') throw bad(file, 'a double-quoted string with a variable in it');
          v += text[j];
        }
      }
      if (j >= text.length) throw bad(file, 'unterminated string');
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (/[-0-9]/.test(ch) && /^-?\d/.test(text.slice(i, i + 2))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$\\]/.test(ch)) {
      const m = /^[$\\]?[A-Za-z_\\][A-Za-z0-9_\\]*/.exec(text.slice(i));
      if (!m) throw bad(file, `unexpected character at offset ${i}`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    } else if (text.startsWith('=>', i)) {
      out.push({ t: 'punct', v: '=>' });
      i += 2;
    } else if ('=()[],;'.includes(ch)) {
      out.push({ t: 'punct', v: ch });
      i++;
    } else throw bad(file, `unexpected character at offset ${i}`);
  }
  return out;
}

function skipTo(text: string, i: number, s: string): number {
  const end = text.indexOf(s, i);
  return end < 0 ? text.length : end + 1;
}

function parseValue(tokens: Token[], p: { i: number }, file: string): PhpValue {
  const tk = tokens[p.i];
  if (!tk) throw bad(file, 'it ends in the middle of the array');
  if (tk.t === 'str' || tk.t === 'num') {
    p.i++;
    return tk.v;
  }
  if (tk.t === 'word') {
    const w = tk.v.toLowerCase();
    if (w === 'true' || w === 'false' || w === 'null') {
      p.i++;
      return w === 'null' ? null : w === 'true';
    }
    if (w === 'array' && tokens[p.i + 1]?.v === '(') {
      p.i += 2;
      return parseItems(tokens, p, ')', file);
    }
    throw bad(file, `a computed value (${tk.v.replace(/^\$/, 'variable ')}) where a literal was expected`);
  }
  if (tk.v === '[') {
    p.i++;
    return parseItems(tokens, p, ']', file);
  }
  throw bad(file, `unexpected "${tk.v}"`);
}

function parseItems(tokens: Token[], p: { i: number }, close: string, file: string): PhpArray {
  const out: PhpArray = new Map();
  let next = 0;
  for (;;) {
    const tk = tokens[p.i];
    if (!tk) throw bad(file, 'it ends in the middle of the array');
    if (tk.t === 'punct' && tk.v === close) {
      p.i++;
      return out;
    }
    const first = parseValue(tokens, p, file);
    let key: string;
    let value: PhpValue;
    if (tokens[p.i]?.t === 'punct' && tokens[p.i]!.v === '=>') {
      p.i++;
      if (first instanceof Map || first === null || typeof first === 'boolean') throw bad(file, 'an array key that is not a string or number');
      key = String(first);
      value = parseValue(tokens, p, file);
      if (typeof first === 'number' && Number.isInteger(first) && first >= next) next = first + 1;
    } else {
      key = String(next++);
      value = first;
    }
    out.set(key, value);
    const sep = tokens[p.i];
    if (sep?.t === 'punct' && sep.v === ',') p.i++;
    else if (!(sep?.t === 'punct' && sep.v === close)) throw bad(file, `expected "," or "${close}"`);
  }
}

/** The value at `a.b.c` (a single key may itself contain dots: it is tried whole first). */
export function phpLookup(root: PhpArray, path: string): PhpValue | undefined {
  if (root.has(path)) return root.get(path);
  let cur: PhpValue | undefined = root;
  for (const part of path.split('.')) {
    if (!(cur instanceof Map)) return undefined;
    cur = cur.get(part);
  }
  return cur;
}

/** PHP source for a value, as var_export writes it (the inverse of parsing, for tests and templates). */
export function phpLiteral(v: PhpValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `array (\n${[...v].map(([k, x]) => `  ${/^(0|[1-9]\d{0,14})$/.test(k) ? k : phpLiteral(k)} => ${phpLiteral(x)},\n`).join('')})`;
}
