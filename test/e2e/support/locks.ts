// Writes lock files as another client would, through Lifeboat's own library (the format
// is restic's: an encrypted JSON file under locks/ named by its hash).
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { LocalBackend } from '../../../src/backend/index.js';
import { systemClock } from '../../../src/lib/index.js';
import { Repository, encodeLock } from '../../../src/repo/index.js';
import type { RepoCtx } from './run.js';
import { readFileSync } from 'node:fs';

export interface ForeignLock {
  readonly exclusive: boolean;
  readonly hostname: string;
  readonly pid: number;
  readonly time: Date;
  readonly username?: string;
}

/** Saves a lock file into the repository and returns its ID. */
export async function writeLock(ctx: RepoCtx, lock: ForeignLock): Promise<string> {
  const password = new TextEncoder().encode(readFileSync(ctx.passwordFile, 'utf8').split('\n')[0]!);
  const repo = await Repository.open(new LocalBackend(ctx.repo), password, {
    clock: systemClock,
    owner: { hostname: hostname(), username: 'e2e', pid: process.pid, uid: 0, gid: 0, isProcessAlive: () => true },
  });
  return repo.saveUnpacked('lock', encodeLock({ uid: 0, gid: 0, username: lock.username ?? 'someone', ...lock }));
}

/** The lock file names in the repository. */
export function lockIds(ctx: RepoCtx): string[] {
  try {
    return readdirSync(`${ctx.repo}/locks`).sort();
  } catch {
    return [];
  }
}
