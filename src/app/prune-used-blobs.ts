import { LifeboatError } from '../errors/index.js';
import { decodeTree, type Id } from '../model/index.js';
import type { Repository, SnapshotEntry } from '../repo/index.js';

/**
 * Every blob the given snapshots need, as `type:id`: their trees (walked once each) and the
 * data blobs of their files. A tree that cannot be loaded or decoded aborts: prune must
 * never delete what it has not proven unneeded. The repository index must be loaded.
 */
export async function usedBlobs(repo: Repository, snapshots: readonly SnapshotEntry[]): Promise<Set<string>> {
  const used = new Set<string>();
  let frontier: { tree: Id; snapshot: Id }[] = [];
  for (const s of snapshots) {
    if (used.has(`tree:${s.snapshot.tree}`)) continue;
    used.add(`tree:${s.snapshot.tree}`);
    frontier.push({ tree: s.snapshot.tree, snapshot: s.id });
  }
  while (frontier.length > 0) {
    const next: { tree: Id; snapshot: Id }[] = [];
    // A few trees at a time: loads overlap, memory stays bounded by the frontier.
    for (let i = 0; i < frontier.length; i += 16) {
      await Promise.all(
        frontier.slice(i, i + 16).map(async ({ tree, snapshot }) => {
          let nodes;
          try {
            nodes = decodeTree(await repo.loadBlob('tree', tree));
          } catch (e) {
            throw new LifeboatError('PRUNE_UNSAFE', `tree ${tree.slice(0, 8)} of snapshot ${snapshot.slice(0, 8)} cannot be loaded (${(e as Error).message}); nothing was deleted; run "lifeboat check"`, { cause: e });
          }
          for (const n of nodes) {
            for (const d of n.content ?? []) used.add(`data:${d}`);
            if (n.subtree !== null && !used.has(`tree:${n.subtree}`)) {
              used.add(`tree:${n.subtree}`);
              next.push({ tree: n.subtree, snapshot });
            }
          }
        }),
      );
    }
    frontier = next;
  }
  return used;
}
