import { isAbsolute, resolve } from 'node:path';
import { childPath, type ConfigReader, type Fields, type Text } from './config-reader.js';

/**
 * Resolves a path written in the configuration against `base` (the app root for an app's
 * files, the config file's folder for password files and repositories). No base: the path
 * must be absolute, and `needs` says what to set instead.
 */
export function resolvePath(r: ConfigReader, t: Text | undefined, path: string, base: string | undefined, needs: string): string | undefined {
  if (t === undefined) return undefined;
  if (isAbsolute(t.value)) return resolve(t.value);
  if (base === undefined) {
    r.report(t.node, path, `"${t.raw}" is a relative path; expected an absolute path (${needs})`);
    return undefined;
  }
  return resolve(base, t.value);
}

/** True when a URL carries a password in its user part (user:password@host). */
export function urlHasPassword(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@?#]*:[^/@?#]*@/i.test(url);
}

/** An environment variable's name (not its value). */
export function envName(r: ConfigReader, f: Fields, field: string): string | undefined {
  const t = r.str(f, field, 'the name of an environment variable');
  if (!t) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value)) {
    r.report(t.node, childPath(f.path, field), 'expected the name of an environment variable (letters, digits and _), not its value');
    return undefined;
  }
  return t.value;
}

