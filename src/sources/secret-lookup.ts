import { readdirSync, readFileSync } from 'node:fs';
import { parseYaml } from '../lib/lazy-yaml.js';
import { LifeboatError } from '../errors/index.js';
import { parseDotEnv } from './dotenv.js';
import { parsePhpConfig, phpLookup } from './php-array.js';
import type { SecretFormat } from './source-specs.js';

const MAX_SECRET_FILE = 4 * 1024 * 1024;

/** A file's bytes; undefined when absent (ENOENT) so the caller decides if that is fatal. */
export function readSmallFile(path: string): Uint8Array | undefined {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new LifeboatError('SOURCE_NOT_FOUND', `cannot read secret file ${path}: ${code ?? 'error'}; check its permissions (run as the app's user or root)`, { cause: e });
  }
  if (b.length > MAX_SECRET_FILE) throw new LifeboatError('SOURCE_NOT_FOUND', `${path} is ${b.length} bytes; a secret file is at most 4 MiB (back it up as a files source)`);
  return b;
}

export function guessFormat(path: string): SecretFormat {
  if (/\.php$/i.test(path)) return 'php';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  return 'env';
}

/** The value under `key` in a file's text, as a string; undefined when the key is absent. */
export function lookupSecret(text: string, format: SecretFormat, key: string, file: string): string | undefined {
  if (format === 'env') return parseDotEnv(text, file).get(key);
  if (format === 'php') {
    const v = phpLookup(parsePhpConfig(text, file), key);
    return v === undefined || v === null || v instanceof Map ? undefined : String(v);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { merge: true, uniqueKeys: false });
  } catch {
    throw new LifeboatError('INVALID_DATA', `${file}: not valid YAML; cannot read ${key} from it`);
  }
  let cur: unknown = doc;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : undefined;
}

/** The environment of a running process (needs the same user, or root). */
export function processEnvironment(pid: number): Map<string, string> | undefined {
  const raw = readSmallFile(`/proc/${pid}/environ`);
  if (!raw) return undefined;
  const out = new Map<string, string>();
  for (const entry of Buffer.from(raw).toString('utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) out.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return out;
}

/** PIDs of processes whose /proc/PID/comm is `name`, lowest first. */
export function pidsByName(name: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}
