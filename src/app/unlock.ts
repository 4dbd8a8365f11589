import { decodeLock, describeLock, isStale, type Repository } from '../repo/index.js';
import type { Id } from '../model/index.js';

export interface UnlockResult {
  readonly removed: { id: Id; description: string }[];
  readonly kept: { id: Id; description: string }[];
}

/** Removes stale locks (or all with `all`); a lock that cannot be read counts as stale. */
export async function unlockRepository(repo: Repository, all: boolean): Promise<UnlockResult> {
  const removed: UnlockResult['removed'] = [];
  const kept: UnlockResult['kept'] = [];
  const now = repo.env.clock.now();
  for (const id of await repo.listIds('lock')) {
    let description = `unreadable lock ${id.slice(0, 8)}`;
    let stale = true;
    try {
      const info = decodeLock(await repo.loadUnpacked('lock', id));
      description = describeLock(id, info);
      stale = isStale(info, repo.env.owner, now);
    } catch {
      // unreadable: treated as stale, restic does the same
    }
    if (all || stale) {
      await repo.backend.remove({ type: 'lock', name: id });
      removed.push({ id, description });
    } else kept.push({ id, description });
  }
  return { removed, kept };
}
