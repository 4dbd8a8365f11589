import { shortId, type BlobType, type Id } from '../model/index.js';
import type { MasterIndex } from '../repo/index.js';
import type { CheckProblem } from './check-report.js';
import type { TreeLoader } from './tree-loader.js';
import { drainQueue } from './work-queue.js';

export interface TreeCheck {
  /** Distinct trees that loaded intact. */
  readonly trees: number;
  readonly problems: CheckProblem[];
  readonly hints: string[];
  /** Blobs that trees or snapshots refer to and no index lists. */
  readonly missing: ReadonlyMap<Id, BlobType>;
  /** (blob, pack) copies found damaged while loading trees. */
  readonly corrupt: readonly { blob: Id; pack: Id }[];
  /** Tree blobs that are intact but not valid trees, or hold invalid nodes. */
  readonly invalidTrees: ReadonlySet<Id>;
}

/**
 * Walks every tree reachable from the given roots once (snapshots share most of their
 * trees): each must load and hash to its ID, each node must be valid, and every data blob
 * a file refers to must be in the index (its data is read only by --read-data).
 */
export async function checkTrees(
  loader: TreeLoader,
  index: MasterIndex,
  roots: readonly Id[],
  concurrency: number,
  progress: (done: number, total: number) => void,
): Promise<TreeCheck> {
  const seen = new Set<Id>(roots);
  const missing = new Map<Id, BlobType>();
  const problems: CheckProblem[] = [];
  const hints: string[] = [];
  const corrupt: { blob: Id; pack: Id }[] = [];
  const invalidTrees = new Set<Id>();
  let done = 0;
  let loaded = 0;

  await drainQueue([...seen], concurrency, async (treeId, push) => {
    const r = await loader.load(treeId);
    progress(++done, seen.size);
    switch (r.status) {
      case 'missing':
        missing.set(treeId, 'tree');
        return;
      case 'invalid':
        invalidTrees.add(treeId);
        problems.push({ kind: 'tree-invalid', pack: r.pack, blobs: [treeId], message: `tree ${shortId(treeId)} is not a valid tree: ${r.message}` });
        return;
      case 'unreadable':
        for (const f of r.failures) {
          if (f.packMissing) continue;
          corrupt.push({ blob: treeId, pack: f.pack });
          problems.push({ kind: 'blob-corrupt', pack: f.pack, blobs: [treeId], message: `tree blob ${shortId(treeId)} in pack ${shortId(f.pack)} cannot be read: ${f.message}` });
        }
        if (r.failures.some((f) => f.packMissing)) {
          hints.push(`tree ${shortId(treeId)} could not be loaded (its pack is missing): the directories below it were not checked`);
        }
        return;
      case 'ok':
        loaded++;
        break;
    }
    if (r.nodeProblems.length > 0) {
      invalidTrees.add(treeId);
      problems.push({ kind: 'tree-invalid', blobs: [treeId], message: `tree ${shortId(treeId)}: ${r.nodeProblems.join('; ')}` });
    }
    for (const node of r.nodes) {
      if (node.type === 'file') {
        for (const blob of node.content ?? []) if (!index.has(blob, 'data')) missing.set(blob, 'data');
      } else if (node.type === 'dir' && node.subtree !== null && !seen.has(node.subtree)) {
        seen.add(node.subtree);
        push(node.subtree);
      }
    }
  });
  const order = (p: CheckProblem) => p.blobs?.[0] ?? '';
  problems.sort((a, b) => order(a).localeCompare(order(b)));
  hints.sort();
  return { trees: loaded, problems, hints, missing, corrupt, invalidTrees };
}
