import { LifeboatError } from '../errors/index.js';

/**
 * Reads KEY=VALUE lines the way dotenv libraries do: `export ` prefixes, `#` comments,
 * unquoted values (trailing ` #comment` dropped), 'single' (literal) and "double" quotes
 * (\n \r \t \" \\ escapes, may span lines). Later keys win. Never echoes a value in errors.
 */
export function parseDotEnv(text: string, file = '.env'): Map<string, string> {
  const out = new Map<string, string>();
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const m = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/.exec(src.slice(i, src.indexOf('\n', i) < 0 ? undefined : src.indexOf('\n', i) + 1));
    if (!m) {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end + 1; // blank, comment or not an assignment: skipped
      line++;
      continue;
    }
    const key = m[1]!;
    i += m[0].length;
    const q = src[i];
    if (q === '"' || q === "'") {
      let value = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== q; j++) {
        const ch = src[j]!;
        if (ch === '\n') line++;
        if (q === '"' && ch === '\\' && j + 1 < src.length) {
          const e = src[++j]!;
          value += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
        } else value += ch;
      }
      if (j >= src.length) throw new LifeboatError('INVALID_DATA', `${file}:${line}: the value of ${key} has no closing ${q}; fix the quoting`);
      out.set(key, value);
      const end = src.indexOf('\n', j);
      i = end < 0 ? src.length : end + 1;
    } else {
      const end = src.indexOf('\n', i);
      const raw = src.slice(i, end < 0 ? undefined : end);
      out.set(key, raw.replace(/[ \t]+#.*$/, '').trim());
      i = end < 0 ? src.length : end + 1;
    }
    line++;
  }
  return out;
}

/** One line that parseDotEnv reads back as `value` (double-quoted, escaped). */
export function formatDotEnvLine(key: string, value: string): string {
  return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}
