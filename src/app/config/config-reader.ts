import type { Document, LineCounter, Node } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from '../../lib/lazy-yaml.js';
import type { ConfigProblem } from './config-types.js';
import { interpolate } from './interpolate.js';
import { expectedOneOf, suggest } from './suggest.js';

/** The fields of one YAML mapping, checked against the names it may have. */
export interface Fields {
  readonly path: string;
  /** Where a missing field is reported: the key that holds this mapping, or the mapping. */
  readonly at: Node | null;
  readonly values: ReadonlyMap<string, { readonly key: Node; readonly value: Node | null }>;
  /** Known names that an unknown field looked like a typo of (already reported). */
  readonly suggested: ReadonlySet<string>;
}

/** A string value read from the file: `value` after ${VAR} interpolation, `raw` as written. */
export interface Text {
  readonly value: string;
  readonly raw: string;
  readonly node: Node;
  readonly interpolated: boolean;
}

/** `password`, `db_password`, `secret`, `client_secret`: names whose value would be a secret. */
export function isSecretKey(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'password' || n.endsWith('_password') || n.endsWith('secret');
}

export function childPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

/**
 * Reads a parsed YAML document field by field, collecting every problem with its position
 * instead of stopping at the first. Never puts a value of a secret-like field in a message.
 */
export class ConfigReader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  report(node: Node | null | undefined, path: string, message: string): void {
    const { line, col } = this.lineCounter.linePos(node?.range?.[0] ?? 0);
    this.problems.push({ file: this.file, line, column: col, path, message });
  }

  deref(node: Node | null | undefined): Node | null {
    if (node && isAlias(node)) return node.resolve(this.doc) ?? null;
    return node ?? null;
  }

  describe(node: Node | null): string {
    if (node === null) return 'nothing';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return 'nothing';
      if (typeof v === 'boolean') return 'true/false';
      if (typeof v === 'number' || typeof v === 'bigint') return 'a number';
      return 'a string';
    }
    return 'something else';
  }

  /** The fields of a mapping; reports unknown ones (with a suggestion) and inline secrets. */
  fields(raw: Node | null, path: string, at: Node | null, known: readonly string[], expected: string): Fields | undefined {
    const node = this.deref(raw);
    if (!node || !isMap(node)) {
      this.report(raw ?? at, path, `expected ${expected}, got ${this.describe(node)}`);
      return undefined;
    }
    const values = new Map<string, { key: Node; value: Node | null }>();
    const suggested = new Set<string>();
    for (const pair of node.items) {
      const key = this.deref(pair.key as Node | null);
      const value = (pair.value as Node | null) ?? null;
      if (!key || !isScalar(key) || typeof key.value !== 'string') {
        this.report(key ?? node, path, `a field name must be a plain word, got ${this.describe(key)}; ${expectedOneOf('', known)}`);
        continue;
      }
      const name = key.value;
      const fieldPath = childPath(path, name);
      if (!known.includes(name) && isSecretKey(name) && this.isLiteral(value)) {
        this.reportInlineSecret(key, fieldPath, value);
      } else if (!known.includes(name)) {
        this.report(key, fieldPath, `unknown field "${name}"; ${expectedOneOf(name, known)}`);
        const s = suggest(name, known);
        if (s !== undefined) suggested.add(s);
      } else {
        values.set(name, { key, value });
      }
    }
    return { path, at: at ?? node, values, suggested };
  }

  private isLiteral(raw: Node | null): boolean {
    const node = this.deref(raw);
    return node === null || isScalar(node);
  }

  private reportInlineSecret(key: Node, path: string, raw: Node | null): void {
    const node = this.deref(raw);
    const ref = node && isScalar(node) && typeof node.value === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(node.value.trim()) : null;
    const how = ref ? `write "password_env: ${ref[1]}" instead` : 'put it in a file (password_file: FILE) or an environment variable (password_env: NAME)';
    this.report(key, path, `inline passwords and secrets are not accepted in the configuration; ${how}`);
  }

  /** A required field that is absent. */
  missing(f: Fields, name: string, expected: string): void {
    // "unknown field "uri"; did you mean "url"?" already says it: one mistake, one message.
    if (f.suggested.has(name)) return;
    this.report(f.at, childPath(f.path, name), `missing; expected ${expected}`);
  }

  /** A non-empty string, after ${VAR} interpolation. */
  text(raw: Node | null, path: string, expected: string): Text | undefined {
    const node = this.deref(raw);
    const at = raw ?? node;
    if (!node || !isScalar(node) || typeof node.value !== 'string') {
      const hint = node && isScalar(node) && node.value !== null ? ' (put it in quotes)' : '';
      this.report(at, path, `expected ${expected}, got ${this.describe(node)}${hint}`);
      return undefined;
    }
    const r = interpolate(node.value, this.env);
    if (!r.ok) {
      this.report(at, path, r.message);
      return undefined;
    }
    if (r.value === '') {
      this.report(at, path, `is empty; expected ${expected}`);
      return undefined;
    }
    return { value: r.value, raw: node.value, node: at!, interpolated: r.used };
  }

  /** The string value of field `name`, or undefined (reporting it if required). */
  str(f: Fields, name: string, expected: string, required = false): Text | undefined {
    const v = f.values.get(name);
    if (!v) {
      if (required) this.missing(f, name, expected);
      return undefined;
    }
    return this.text(v.value, childPath(f.path, name), expected);
  }

  /** An integer in [min, max]; a ${VAR} that expands to digits counts. */
  int(f: Fields, name: string, min: number, max: number): number | undefined {
    const v = f.values.get(name);
    if (!v) return undefined;
    const path = childPath(f.path, name);
    const expected = `a whole number from ${min} to ${max}`;
    const node = this.deref(v.value);
    let n: unknown = node && isScalar(node) ? node.value : undefined;
    if (typeof n === 'string' && n.includes('${')) {
      const t = this.text(v.value, path, expected);
      if (!t) return undefined;
      n = /^\d+$/.test(t.value) ? Number(t.value) : t.value;
    }
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.report(v.value ?? v.key, path, `expected ${expected}, got ${typeof n === 'number' ? String(n) : this.describe(node)}`);
      return undefined;
    }
    return n;
  }

  /** true or false; a ${VAR} that expands to "true"/"false" counts. */
  bool(f: Fields, name: string): boolean | undefined {
    const v = f.values.get(name);
    if (!v) return undefined;
    const path = childPath(f.path, name);
    const node = this.deref(v.value);
    let b: unknown = node && isScalar(node) ? node.value : undefined;
    if (typeof b === 'string' && b.includes('${')) {
      const t = this.text(v.value, path, 'true or false');
      if (!t) return undefined;
      b = t.value === 'true' ? true : t.value === 'false' ? false : t.value;
    }
    if (typeof b !== 'boolean') {
      this.report(v.value ?? v.key, path, `expected true or false, got ${this.describe(node)}`);
      return undefined;
    }
    return b;
  }

  /** The items of a list field, each with its path. */
  list(f: Fields, name: string, expected: string, required = false): { node: Node | null; path: string }[] | undefined {
    const v = f.values.get(name);
    const path = childPath(f.path, name);
    if (!v) {
      if (required) this.missing(f, name, expected);
      return undefined;
    }
    const node = this.deref(v.value);
    if (!node || !isSeq(node)) {
      this.report(v.value ?? v.key, path, `expected ${expected}, got ${this.describe(node)}`);
      return undefined;
    }
    if (node.items.length === 0 && required) {
      this.report(node, path, `is empty; expected ${expected}`);
      return undefined;
    }
    return node.items.map((item, i) => ({ node: (item as Node | null) ?? null, path: `${path}[${i}]` }));
  }

  /** A list of non-empty strings; undefined if absent or if any item is wrong. */
  strList(f: Fields, name: string, expected: string, required = false): Text[] | undefined {
    const items = this.list(f, name, `a list of ${expected}`, required);
    if (!items) return undefined;
    const out = items.map((it) => this.text(it.node, it.path, expected));
    return out.every((t) => t !== undefined) ? (out as Text[]) : undefined;
  }
}
