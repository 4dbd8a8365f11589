import type { Environment, RepoOptions } from '../app/index.js';
// Not through app/index.js, which loads the code of every command: see commands/index.ts.
import { findConfigFile, type ConfigLookup } from '../app/config/config-file.js';
import { LifeboatError } from '../errors/index.js';
import type { OptionValues } from './command.js';

/** The -r values, in order (several for a mirror). */
export function repoUrls(v: OptionValues): string[] {
  return strings(v, 'repo');
}

/** Options of a command that works on one location: more than one -r is refused. */
export function repoOptions(v: OptionValues): RepoOptions {
  const repos = repoUrls(v);
  if (repos.length > 1) throw new LifeboatError('INVALID_ARGUMENT', `this command works on one location; give one -r (got ${repos.length}); init, backup, sync and locations take several`);
  return {
    ...(repos.length === 1 ? { repo: repos[0]! } : {}),
    ...(typeof v['password-file'] === 'string' ? { passwordFile: v['password-file'] } : {}),
    ...(typeof v['password-command'] === 'string' ? { passwordCommand: v['password-command'] } : {}),
    ...(typeof v['key-hint'] === 'string' ? { keyHint: v['key-hint'] } : {}),
  };
}

export function strings(v: OptionValues, name: string): string[] {
  const x = v[name];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
}

export function str(v: OptionValues, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

export function needPositionals(p: readonly string[], min: number, max: number, usage: string): void {
  if (p.length < min || p.length > max) throw new LifeboatError('INVALID_ARGUMENT', `wrong number of arguments; usage: lifeboat ${usage}`);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function formatBytes(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(i === 1 ? 1 : 3)} ${UNITS[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Where lifeboat.yaml is looked up: -c FILE, LIFEBOAT_CONFIG, the working directory, /etc/lifeboat. */
export function configLookup(v: OptionValues, env: Environment): ConfigLookup {
  const file = str(v, 'config');
  return { cwd: env.cwd, env: env.env, ...(file ? { file } : {}), ...(env.env['LIFEBOAT_SYSTEM_CONFIG_DIR'] ? { systemDir: env.env['LIFEBOAT_SYSTEM_CONFIG_DIR'] } : {}) };
}

/** Whether a lifeboat.yaml would be found (for commands that switch to app mode on their own). */
export function hasConfig(v: OptionValues, env: Environment): boolean {
  try {
    findConfigFile(configLookup(v, env));
    return true;
  } catch {
    return false;
  }
}
