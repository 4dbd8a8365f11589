import { join } from 'node:path';
import { parseYaml } from '../lib/lazy-yaml.js';
import type { DatabaseSpec } from '../sources/index.js';
import { envOrDotEnv, readText } from './discover-util.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The production database of a Rails app: DATABASE_URL (environment, then .env), else the
 * `production` section of config/database.yml, whose `<%= ENV["X"] %>` (and
 * `ENV.fetch("X") { default }`) are resolved from the same places.
 */
export function railsDatabase(root: string, env: Env, dotEnv: Map<string, string>, origin: string, notes: string[]): DatabaseSpec | undefined {
  const url = envOrDotEnv('DATABASE_URL', env, dotEnv, root);
  if (url) {
    const kind = engineOfUrl(url.value);
    if (kind) {
      notes.push(`database from DATABASE_URL (${url.source.startsWith('env:') ? 'environment' : '.env'})`);
      return { kind, url: url.value.replace(/^postgis:/, 'postgres:').replace(/^mysql2:/, 'mysql:').replace(/^trilogy:/, 'mysql:'), origin };
    }
  }
  const file = join(root, 'config', 'database.yml');
  const text = readText(file);
  if (text === undefined) {
    notes.push('no DATABASE_URL and no config/database.yml: no database found');
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(resolveErb(text, env, dotEnv), { merge: true, uniqueKeys: false });
  } catch {
    notes.push('config/database.yml is not valid YAML: no database found');
    return undefined;
  }
  let prod = (doc as Record<string, unknown> | null)?.['production'] as Record<string, unknown> | undefined;
  // Rails 6+ multi-database form: production: { primary: {...}, cache: {...} }.
  if (prod && typeof prod === 'object' && !('adapter' in prod) && !('url' in prod) && typeof prod['primary'] === 'object') prod = prod['primary'] as Record<string, unknown>;
  if (!prod || typeof prod !== 'object') {
    notes.push('config/database.yml has no production section: no database found');
    return undefined;
  }
  const str = (k: string) => (prod![k] === undefined || prod![k] === null ? undefined : String(prod![k]));
  const urlField = str('url');
  const kind = urlField ? engineOfUrl(urlField) : engineOfAdapter(str('adapter') ?? '');
  if (!kind) {
    notes.push(`config/database.yml: adapter ${str('adapter') ?? '?'} is not PostgreSQL or MySQL: no database backed up`);
    return undefined;
  }
  notes.push('database from config/database.yml (production)');
  const host = str('host');
  const port = Number(str('port'));
  return {
    kind,
    ...(urlField ? { url: urlField } : {}),
    ...(host ? (host.startsWith('/') && kind === 'mysql' ? { socket: host } : { host }) : {}),
    ...(str('socket') ? { socket: str('socket')! } : {}),
    ...(Number.isInteger(port) && port > 0 ? { port } : {}),
    ...(str('username') ? { user: str('username')! } : {}),
    ...(str('password') ? { password: str('password')! } : {}),
    ...(str('database') ? { database: str('database')! } : {}),
    origin,
  };
}

export function engineOfUrl(url: string): 'postgres' | 'mysql' | undefined {
  if (/^(postgres|postgresql|postgis):/i.test(url)) return 'postgres';
  if (/^(mysql|mysql2|mariadb|trilogy):/i.test(url)) return 'mysql';
  return undefined;
}

function engineOfAdapter(a: string): 'postgres' | 'mysql' | undefined {
  if (/^(postgresql|postgis)$/.test(a)) return 'postgres';
  if (/^(mysql2|trilogy|mysql)$/.test(a)) return 'mysql';
  return undefined;
}

/** Replaces the ERB tags Rails apps use in database.yml with the value they would produce. */
function resolveErb(text: string, env: Env, dotEnv: Map<string, string>): string {
  return text.replace(/<%=\s*(.*?)\s*%>/g, (_, expr: string) => {
    const m = /ENV(?:\.fetch\(\s*|\[\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']/.exec(expr);
    if (!m) return '';
    const dflt = /\{\s*["']([^"']*)["']\s*\}|,\s*["']([^"']*)["']\s*\)|\|\|\s*["']([^"']*)["']/.exec(expr);
    const v = env[m[1]!] ?? dotEnv.get(m[1]!);
    const value = v ?? dflt?.[1] ?? dflt?.[2] ?? dflt?.[3] ?? '';
    // Bare when safe, so that a tag inside quotes stays valid; else a YAML double-quoted scalar.
    return /^[A-Za-z0-9_.\/:@+-]*$/.test(value) ? value : JSON.stringify(value);
  });
}
