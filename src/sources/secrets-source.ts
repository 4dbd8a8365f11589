import { createHmac } from 'node:crypto';
import { basename } from 'node:path';
import { LifeboatError } from '../errors/index.js';
import { guessFormat, lookupSecret, pidsByName, processEnvironment, readSmallFile } from './secret-lookup.js';
import type { ProcessEnvSpec, SecretsSpec } from './source-specs.js';
import { bytesFile, jsonBytes, type VirtualFile } from './virtual-file.js';

/** One secret found: a whole file or a named value, with where it was found. */
export interface SecretItem {
  readonly name: string;
  readonly kind: 'value' | 'file';
  /** `/srv/app/.env#SECRET_KEY_BASE`, `/srv/app/config/master.key`, `env:SECRET_KEY_BASE`, `pid 123 (puma)#SECRET_KEY_BASE`. */
  readonly source: string;
  /** Where it is in the snapshot. */
  readonly path: string;
  readonly value: Uint8Array;
}

export interface SecretsPlan {
  readonly items: readonly SecretItem[];
  /** Optional things that were not there, for a notice (never values). */
  readonly missing: readonly string[];
}

export function secretFilePath(abs: string): string {
  return `/secrets/files/${abs.replace(/^\/+/, '')}`;
}

export function secretValuePath(name: string): string {
  return `/secrets/values/${name}`;
}

const enc = new TextEncoder();

/**
 * Collects every secret of the given specs now (they are small and must all be present
 * before a backup starts). A required secret that is missing fails: a backup without the
 * key is the incident Lifeboat exists to prevent. The first spec to name a value wins.
 */
export function planSecrets(specs: readonly SecretsSpec[]): SecretsPlan {
  const items: SecretItem[] = [];
  const missing: string[] = [];
  const seenFiles = new Set<string>();
  const names = new Set<string>();
  const addValue = (name: string, value: string, source: string) => {
    if (names.has(name)) return;
    names.add(name);
    items.push({ name, kind: 'value', source, path: secretValuePath(name), value: enc.encode(value) });
  };
  for (const spec of specs) {
    for (const k of spec.known) addValue(k.name, k.value, k.source);
    for (const f of spec.files) {
      if (seenFiles.has(f.path)) continue;
      const bytes = readSmallFile(f.path);
      if (!bytes) {
        if (f.optional) missing.push(f.path);
        else throw new LifeboatError('SOURCE_NOT_FOUND', `secret file ${f.path} (${spec.origin}) does not exist; fix the path or remove it from secrets.files`);
        continue;
      }
      seenFiles.add(f.path);
      const name = items.some((i) => i.kind === 'file' && i.name === basename(f.path)) ? f.path : basename(f.path);
      items.push({ name, kind: 'file', source: f.path, path: secretFilePath(f.path), value: bytes });
    }
    for (const v of spec.values) {
      if (names.has(v.name)) continue;
      const key = v.key ?? v.name;
      const bytes = readSmallFile(v.from);
      const value = bytes ? lookupSecret(Buffer.from(bytes).toString('utf8'), v.format ?? guessFormat(v.from), key, v.from) : undefined;
      if (value === undefined || value === '') {
        if (v.optional) missing.push(`${v.from}#${key}`);
        else throw new LifeboatError('SOURCE_NOT_FOUND', `secret ${v.name}: ${bytes ? `no ${key} in ${v.from}` : `${v.from} does not exist`} (${spec.origin}); fix secrets.values`);
        continue;
      }
      addValue(v.name, value, `${v.from}#${key}`);
    }
    for (const p of spec.processEnv) processValues(p, spec.origin, addValue, missing);
  }
  return { items, missing };
}

function processValues(p: ProcessEnvSpec, origin: string, add: (n: string, v: string, s: string) => void, missing: string[]): void {
  const what = p.pidFile ? `the process in ${p.pidFile}` : `process "${p.process}"`;
  let pids: number[] = [];
  if (p.pidFile) {
    const raw = readSmallFile(p.pidFile);
    const pid = raw ? Number(Buffer.from(raw).toString('utf8').trim()) : NaN;
    if (Number.isInteger(pid) && pid > 0) pids = [pid];
  } else if (p.process) pids = pidsByName(p.process);
  for (const pid of pids) {
    const env = processEnvironment(pid);
    if (!env) continue;
    for (const name of p.names) {
      const v = env.get(name);
      if (v !== undefined && v !== '') add(name, v, `pid ${pid}${p.process ? ` (${p.process})` : ''}#${name}`);
    }
    if (p.names.every((n) => env.has(n))) return;
  }
  const absent = p.names.filter((n) => !pids.some((pid) => processEnvironment(pid)?.has(n)));
  if (absent.length === 0) return;
  if (p.optional) missing.push(...absent.map((n) => `${what}#${n}`));
  else throw new LifeboatError('SOURCE_NOT_FOUND', `${pids.length === 0 ? `${what} is not running` : `${what} has no ${absent.join(', ')} in its environment`} (${origin}); start it, or fix secrets.process_env`);
}

/** The secret files of the snapshot, in /secrets/files/ and /secrets/values/. */
export function secretFiles(plan: SecretsPlan): VirtualFile[] {
  return plan.items.map((i) => bytesFile(i.path, i.value, 0o600));
}

/**
 * The key fingerprint of the shared formats: HMAC-SHA256 keyed by a key derived from the
 * repository master key's encryption key, so it proves sameness without revealing the value
 * (a plain hash of a short key could be brute-forced; this needs the repository key too).
 */
export function keyFingerprint(masterEncryptKey: Uint8Array, value: Uint8Array): string {
  const fk = createHmac('sha256', masterEncryptKey).update('lifeboat key fingerprint v1', 'ascii').digest();
  return createHmac('sha256', fk).update(value).digest('hex');
}

export interface KeyInventory {
  readonly version: 1;
  readonly keys: readonly { readonly name: string; readonly kind: 'value' | 'file'; readonly source: string; readonly fingerprint: string; readonly path: string }[];
}

export function keyInventory(plan: SecretsPlan, masterEncryptKey: Uint8Array): KeyInventory {
  return { version: 1, keys: plan.items.map((i) => ({ name: i.name, kind: i.kind, source: i.source, fingerprint: keyFingerprint(masterEncryptKey, i.value), path: i.path })) };
}

/** `/secrets/keys.json`. */
export function keyInventoryFile(inv: KeyInventory): VirtualFile {
  return bytesFile('/secrets/keys.json', jsonBytes(inv), 0o600);
}
