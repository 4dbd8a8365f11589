// Named modules, not the barrels: `backup` opens the repository (and starts the key's scrypt)
// before it loads the rest of what it runs (see cli/commands/backup.ts).
import { calibrateScrypt, type ScryptParams } from '../crypto/kdf.js';
import { LifeboatError } from '../errors/index.js';
import { systemClock } from '../lib/clock.js';
import { Repository, type RepoEnv } from '../repo/repository.js';
import type { Environment } from './environment.js';
import { openBackend } from './open-backend.js';
import { resolvePassword, type PasswordOptions } from './password.js';

export interface RepoOptions extends PasswordOptions {
  readonly repo?: string;
  readonly keyHint?: string;
}

export function repoEnv(env: Environment): RepoEnv {
  return {
    clock: systemClock,
    owner: {
      hostname: env.hostname,
      username: env.username,
      pid: env.pid,
      uid: env.uid,
      gid: env.gid,
      isProcessAlive: (pid) => env.isProcessAlive(pid),
    },
  };
}

export function repositoryUrl(opts: RepoOptions, env: Environment): string {
  const url = opts.repo ?? env.env['LIFEBOAT_REPOSITORY'] ?? env.env['RESTIC_REPOSITORY'];
  if (!url) throw new LifeboatError('INVALID_ARGUMENT', 'no repository given; pass -r/--repo PATH or set LIFEBOAT_REPOSITORY');
  return url;
}

export async function openRepository(opts: RepoOptions, env: Environment): Promise<Repository> {
  const backend = openBackend(repositoryUrl(opts, env), env.cwd, env.env);
  const password = await resolvePassword(opts, env);
  return Repository.open(backend, password, repoEnv(env), opts.keyHint ? { keyHint: opts.keyHint } : {});
}

/** scrypt parameters for new keys: about 100 ms on this machine (LIFEBOAT_KDF_N overrides, for tests). */
export async function kdfParamsFor(env: Environment): Promise<ScryptParams> {
  const n = env.env['LIFEBOAT_KDF_N'];
  if (n) return { N: Number(n), r: 8, p: 1 };
  return calibrateScrypt(100);
}

export async function initRepository(opts: RepoOptions, env: Environment): Promise<Repository> {
  const backend = openBackend(repositoryUrl(opts, env), env.cwd, env.env);
  const password = await resolvePassword(opts, env, 'the new repository');
  return Repository.init(backend, password, repoEnv(env), { kdf: await kdfParamsFor(env) });
}
