import { dirname } from 'node:path';
import type { Node } from 'yaml';
import { isMap, isScalar } from '../../lib/lazy-yaml.js';
import { childPath, type ConfigReader, type Fields, type Text } from './config-reader.js';
import { envName, resolvePath, urlHasPassword } from './config-paths.js';
import { readProbes } from './probe-schema.js';
import { KEEP_FIELDS, PRESETS, type AppConfig, type GuardConfig, type KeepPolicy, type LifeboatConfig, type LocationConfig, type Preset, type SourceConfig } from './config-types.js';
import { readSourceEntry } from './source-schema.js';
import { expectedOneOf } from './suggest.js';

const TOP = ['state_dir', 'locations', 'apps'] as const;
const LOCATION = ['url', 'password_file', 'password_command', 'password_env'] as const;
const APP = ['preset', 'root', 'sources', 'locations', 'ignore', 'schedule', 'keep', 'guard', 'probes'] as const;
const GUARD = ['max_age_hours', 'min_locations', 'drill_max_age_days'] as const;
const NAME = /^[a-z0-9][a-z0-9_-]*$/;
const NAME_RULE = 'lower-case letters, digits, - and _, starting with a letter or digit';

/**
 * The schema of `lifeboat.yaml`, applied to a parsed document. Returns the typed config
 * when there are no problems; every problem is left in `r.problems` with its position.
 */
export function readConfigDocument(r: ConfigReader, contents: Node | null): LifeboatConfig | undefined {
  const top = r.fields(contents, '', null, TOP, 'a mapping with "locations" and "apps"');
  if (!top) return undefined;
  const base = dirname(r.file);
  const stateDir = resolvePath(r, r.str(top, 'state_dir', 'a directory'), 'state_dir', base, '');
  const declared: string[] = [];
  const locations = readNamed(r, top, 'locations', 'a mapping of location names to {url, password_file}', (node, path, key) => readLocation(r, node, path, key, base), declared);
  // Apps are checked against every declared location, even one with its own mistakes, so
  // that one mistake gives one message.
  const apps = readNamed(r, top, 'apps', 'a mapping of app names to their settings', (node, path, key) => readApp(r, node, path, key, locations ? declared : undefined));
  if (r.problems.length > 0 || !locations || !apps) return undefined;
  return { ...(stateDir ? { stateDir } : {}), locations, apps };
}

/** A mapping of user-chosen names (locations, apps) to entries read by `one`. */
function readNamed<T>(r: ConfigReader, f: Fields, field: string, expected: string, one: (node: Node | null, path: string, key: Node) => T | undefined, names: string[] = []): Record<string, T> | undefined {
  const v = f.values.get(field);
  const path = childPath(f.path, field);
  if (!v) {
    r.missing(f, field, expected);
    return undefined;
  }
  const node = r.deref(v.value);
  if (!node || !isMap(node) || node.items.length === 0) {
    r.report(v.value ?? v.key, path, node && isMap(node) ? `is empty; expected ${expected}` : `expected ${expected}, got ${r.describe(node)}`);
    return undefined;
  }
  const out: Record<string, T> = {};
  for (const pair of node.items) {
    const key = r.deref(pair.key as Node | null);
    const name = key && isScalar(key) ? String(key.value) : '';
    const itemPath = childPath(path, name);
    if (!NAME.test(name)) {
      r.report(key ?? node, itemPath, `"${name}" is not a valid name; expected ${NAME_RULE}`);
      continue;
    }
    names.push(name);
    const item = one((pair.value as Node | null) ?? null, itemPath, key!);
    if (item !== undefined) out[name] = item;
  }
  return out;
}

function readLocation(r: ConfigReader, node: Node | null, path: string, key: Node, base: string): LocationConfig | undefined {
  const f = r.fields(node, path, key, LOCATION, 'a mapping with url and password_file (or password_command, password_env)');
  if (!f) return undefined;
  const url = r.str(f, 'url', 'a repository location (an absolute directory for now)', true);
  if (url && urlHasPassword(url.value)) r.report(url.node, childPath(path, 'url'), 'the URL contains a password; remove it and use password_file or password_env');
  const passwordFile = resolvePath(r, r.str(f, 'password_file', 'a file holding the repository password'), childPath(path, 'password_file'), base, '');
  const passwordCommand = r.str(f, 'password_command', 'a command printing the password');
  const passwordEnv = envName(r, f, 'password_env');
  const given = [passwordFile, passwordCommand, passwordEnv].filter((x) => x !== undefined).length;
  if (given > 1) r.report(f.at, path, 'more than one password source; expected exactly one of password_file, password_command, password_env');
  if (given === 0 && !['password_file', 'password_command', 'password_env'].some((n) => f.values.has(n) || f.suggested.has(n))) {
    r.report(f.at, childPath(path, 'password_file'), 'missing; expected one of password_file, password_command, password_env');
  }
  if (!url) return undefined;
  const localUrl = localLocation(url.value, base);
  return {
    url: localUrl,
    ...(passwordFile ? { passwordFile } : {}),
    ...(passwordCommand ? { passwordCommand: passwordCommand.value } : {}),
    ...(passwordEnv ? { passwordEnv } : {}),
  };
}

/** Relative local repository paths are relative to the config file; other URLs stay as written. */
function localLocation(url: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('local:')) return url;
  const path = url.startsWith('local:') ? url.slice('local:'.length) : url;
  return path.startsWith('/') ? path : `${base}/${path}`.replace(/\/\.\//g, '/');
}

function readApp(r: ConfigReader, node: Node | null, path: string, key: Node, locations: readonly string[] | undefined): AppConfig | undefined {
  const f = r.fields(node, path, key, APP, 'a mapping with preset, root, sources and locations');
  if (!f) return undefined;
  const preset = readPreset(r, f);
  const root = resolvePath(r, r.str(f, 'root', 'the directory the app is installed in'), childPath(path, 'root'), undefined, 'the app root must be absolute');
  const sources: SourceConfig[] = [];
  const items = r.list(f, 'sources', 'a list of sources (files, postgres, mysql, secrets)');
  for (const item of items ?? []) {
    const s = readSourceEntry(r, item.node, item.path, root);
    if (s) sources.push(s);
  }
  if (!f.values.has('preset') && !f.suggested.has('preset') && sources.length === 0 && !f.values.has('sources')) {
    r.report(f.at, childPath(path, 'sources'), 'missing; expected a preset or a list of sources (an app with neither has nothing to back up)');
  }
  if (preset && preset !== 'generic' && !root && !f.values.has('root')) {
    r.report(f.at, childPath(path, 'root'), `missing; expected the directory ${preset} is installed in (the preset discovers its sources from it)`);
  }
  const names = r.strList(f, 'locations', 'location names', true);
  for (const n of names ?? []) {
    if (locations && !locations.includes(n.value)) r.report(n.node, childPath(path, 'locations'), `unknown location "${n.value}"; ${expectedOneOf(n.value, locations)}`);
  }
  const ignore = r.strList(f, 'ignore', 'kinds (postgres, mysql, files, secrets), paths or secret names the preset found')?.map((t, i) =>
    // A kind, a path (it has a slash; relative to the root) or the name of a secret (SECRET_KEY_BASE, .env).
    !t.value.includes('/') ? t.value : resolvePath(r, t, `${childPath(path, 'ignore')}[${i}]`, root, 'relative paths need the app to have a root'));
  const schedule = r.str(f, 'schedule', 'a schedule like "daily" or "03:30"');
  const keep = readKeep(r, f);
  const guard = readGuard(r, f);
  const probes = readProbes(r, f);
  return {
    ...(preset ? { preset } : {}),
    ...(root ? { root } : {}),
    sources,
    locations: (names ?? []).map((t) => t.value),
    ...(ignore ? { ignore: ignore.filter((x): x is string => x !== undefined) } : {}),
    ...(schedule ? { schedule: schedule.value } : {}),
    ...(keep ? { keep } : {}),
    ...(guard ? { guard } : {}),
    ...(probes ? { probes } : {}),
  };
}

function readPreset(r: ConfigReader, f: Fields): Preset | undefined {
  const t: Text | undefined = r.str(f, 'preset', `one of ${PRESETS.join(', ')}`);
  if (!t) return undefined;
  if (!(PRESETS as readonly string[]).includes(t.value)) {
    r.report(t.node, childPath(f.path, 'preset'), `unknown preset "${t.value}"; ${expectedOneOf(t.value, PRESETS)}`);
    return undefined;
  }
  return t.value as Preset;
}

/** `guard:` thresholds of an app (lifeboat guard); each defaults when absent. */
function readGuard(r: ConfigReader, f: Fields): GuardConfig | undefined {
  const v = f.values.get('guard');
  if (!v) return undefined;
  const g = r.fields(v.value, childPath(f.path, 'guard'), v.key, GUARD, `a mapping of ${GUARD.join(', ')}`);
  if (!g) return undefined;
  const maxAgeHours = r.int(g, 'max_age_hours', 1, 100_000);
  const minLocations = r.int(g, 'min_locations', 1, 100);
  const drillMaxAgeDays = r.int(g, 'drill_max_age_days', 1, 10_000);
  return { ...(maxAgeHours !== undefined ? { maxAgeHours } : {}), ...(minLocations !== undefined ? { minLocations } : {}), ...(drillMaxAgeDays !== undefined ? { drillMaxAgeDays } : {}) };
}

function readKeep(r: ConfigReader, f: Fields): KeepPolicy | undefined {
  const v = f.values.get('keep');
  if (!v) return undefined;
  const k = r.fields(v.value, childPath(f.path, 'keep'), v.key, KEEP_FIELDS, `a mapping of ${KEEP_FIELDS.join(', ')} to counts`);
  if (!k) return undefined;
  const out: { [K in (typeof KEEP_FIELDS)[number]]?: number } = {};
  for (const name of KEEP_FIELDS) {
    const n = r.int(k, name, 0, 100_000);
    if (n !== undefined) out[name] = n;
  }
  return out;
}
