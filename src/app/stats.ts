import type { Repository } from '../repo/index.js';
import { walkTree } from '../restorer/index.js';
import type { SnapshotEntry } from '../repo/index.js';

export interface RepoStats {
  readonly snapshots: number;
  /** restore-size mode: what restoring every snapshot would write. */
  readonly totalFileCount: number;
  readonly totalSize: number;
  /** raw-data mode: what the repository stores. */
  readonly blobs: number;
  readonly packs: number;
  readonly storedSize: number;
  readonly uncompressedSize: number;
}

/** Sizes like restic's `stats` (restore-size and raw-data together). */
export async function repositoryStats(repo: Repository, snapshots: readonly SnapshotEntry[]): Promise<RepoStats> {
  await repo.loadIndex();
  let totalFileCount = 0;
  let totalSize = 0;
  for (const { snapshot } of snapshots) {
    for await (const e of walkTree(repo, snapshot.tree)) {
      if (e.node.type === 'file') {
        totalFileCount++;
        totalSize += e.node.size;
      }
    }
  }
  let storedSize = 0;
  let uncompressedSize = 0;
  let blobs = 0;
  const seen = new Set<string>();
  for (const b of repo.index.entries()) {
    if (seen.has(b.id)) continue;
    seen.add(b.id);
    blobs++;
    storedSize += b.length;
    uncompressedSize += b.uncompressedLength > 0 ? b.uncompressedLength : b.length - 32;
  }
  return { snapshots: snapshots.length, totalFileCount, totalSize, blobs, packs: repo.index.packCount, storedSize, uncompressedSize };
}
