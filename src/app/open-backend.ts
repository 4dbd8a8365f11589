import { isAbsolute, resolve } from 'node:path';
import { LocalBackend, type Backend } from '../backend/index.js';
import { LifeboatError } from '../errors/index.js';

/**
 * Turns a repository URL as restic writes it into a Backend. For now: local paths
 * (`/path`, `local:/path`, or a relative path resolved against `cwd`).
 */
export function openBackend(url: string, cwd: string): Backend {
  if (url === '') throw new LifeboatError('INVALID_ARGUMENT', 'the repository location is empty; pass -r/--repo or set LIFEBOAT_REPOSITORY');
  const scheme = /^([a-z0-9]+):(?!\/\/?[^/])/.exec(url)?.[1];
  if (scheme && scheme !== 'local') {
    throw new LifeboatError('INVALID_ARGUMENT', `repository type "${scheme}:" is not supported yet; use a local directory`);
  }
  const path = scheme === 'local' ? url.slice('local:'.length) : url;
  return new LocalBackend(isAbsolute(path) ? path : resolve(cwd, path));
}
