/**
 * restic's path patterns (for --exclude and --include): `*`, `?`, `[...]` within one path component, `**` across
 * components. A pattern without a leading `/` may match at any depth; one with it is
 * anchored at the root. A pattern matches a path when it matches the path or one of its
 * parent directories (so excluding a directory excludes what is inside).
 */
export class PathPattern {
  private readonly regexes: RegExp[];

  constructor(readonly patterns: readonly string[]) {
    this.regexes = patterns.filter((p) => p.trim() !== '').map(compilePattern);
  }

  get empty(): boolean {
    return this.regexes.length === 0;
  }

  matches(absPath: string): boolean {
    for (const r of this.regexes) if (r.test(absPath)) return true;
    return false;
  }
}

function compilePattern(pattern: string): RegExp {
  const anchored = pattern.startsWith('/');
  const parts = cleanComponents(pattern);
  // Paths look like "/a/b/c": each component is "/" + name; "**" is zero or more of them.
  let body = anchored ? '' : '(?:/[^/]+)*?';
  for (const c of parts) body += c === '**' ? '(?:/[^/]+)*?' : '/' + componentToRegex(c);
  return new RegExp(`^${body}(?:/.*)?$`, 's');
}

/** The pattern's components after cleaning it like a path (//, ., ..), as restic does. */
function cleanComponents(pattern: string): string[] {
  const out: string[] = [];
  for (const c of pattern.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** One component of Go's filepath.Match: `*`, `?`, `[class]` (negated by `^`), `\` escapes. */
function componentToRegex(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) {
    const ch = c[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const cls = parseClass(c, i + 1);
      if (!cls) {
        out += '\\[';
        continue;
      }
      out += cls.regex;
      i = cls.end;
    } else if (ch === '\\' && i + 1 < c.length) {
      out += escapeRegex(c[++i]!);
    } else out += escapeRegex(ch);
  }
  return out;
}

/** A character class starting after `[`; a `]` right at its start is a literal, as in Go. */
function parseClass(c: string, from: number): { regex: string; end: number } | undefined {
  let i = from;
  const negated = c[i] === '^';
  if (negated) i++;
  let body = '';
  let first = true;
  for (; i < c.length; i++) {
    const ch = c[i]!;
    if (ch === ']' && !first) return { regex: `[${negated ? '^/' : ''}${body}]`, end: i };
    first = false;
    if (ch === '\\' && i + 1 < c.length) body += '\\' + c[++i]!;
    else if (ch === ']' || ch === '[' || ch === '\\') body += '\\' + ch;
    else body += ch;
  }
  return undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
