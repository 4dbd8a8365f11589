import { isAbsolute, resolve } from 'node:path';
import type { ConfigReader, Text } from './config-reader.js';

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
