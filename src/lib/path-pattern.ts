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
  let p = pattern.replace(/\/+$/, '');
  const anchored = p.startsWith('/');
  if (anchored) p = p.slice(1);
  const parts = p.split('/').map(componentToRegex);
  const body = parts.join('/').replace(/\/\(\?:\.\*\)\//g, '(?:/.*)?/');
  return new RegExp(`^${anchored ? '/' : '(?:.*/)?'}${body}(?:/.*)?$`, 's');
}

function componentToRegex(c: string): string {
  if (c === '**') return '(?:.*)';
  let out = '';
  for (let i = 0; i < c.length; i++) {
    const ch = c[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = c.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let cls = c.slice(i + 1, end);
      if (cls.startsWith('!') || cls.startsWith('^')) cls = '^' + cls.slice(1);
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < c.length) {
      out += escapeRegex(c[++i]!);
    } else out += escapeRegex(ch);
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
