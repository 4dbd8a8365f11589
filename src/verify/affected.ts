import type { Id } from '../model/index.js';
import { pathText } from '../restorer/index.js';
import type { AffectedSnapshot } from './check-report.js';
import type { TreeLoader } from './tree-loader.js';
import { limiter } from '../lib/index.js';

/** A path inside a tree that depends directly on damaged blobs (file content or a dir's subtree). */
interface Hit {
  readonly path: readonly Uint8Array[];
  readonly blobs: readonly Id[];
}

const NONE: readonly Hit[] = [];

/**
 * Which snapshot paths depend on damaged blobs. Built by one more walk of the snapshots'
 * trees, done only when something is damaged; each distinct tree is loaded once and its
 * hits are shared by every snapshot and directory that contains it.
 */
export class AffectedPaths {
  private constructor(private readonly bySnapshot: readonly { snapshot: Id; hits: readonly Hit[] }[]) {}

  static async find(
    loader: TreeLoader,
    snapshots: readonly { id: Id; tree: Id }[],
    damaged: ReadonlySet<Id>,
    concurrency: number,
    progress: (done: number, total: number) => void,
  ): Promise<AffectedPaths> {
    const run = limiter(concurrency);
    const memo = new Map<Id, Promise<readonly Hit[]>>();
    let loaded = 0;
    const hitsIn = (treeId: Id): Promise<readonly Hit[]> => {
      let p = memo.get(treeId);
      if (!p) {
        p = computeHits(treeId);
        memo.set(treeId, p);
      }
      return p;
    };
    const computeHits = async (treeId: Id): Promise<readonly Hit[]> => {
      const r = await run(() => loader.load(treeId));
      progress(++loaded, memo.size);
      if (r.status !== 'ok') return NONE;
      const perNode = await Promise.all(
        r.nodes.map(async (node): Promise<readonly Hit[]> => {
          if (node.type === 'file') {
            const blobs = [...new Set((node.content ?? []).filter((b) => damaged.has(b)))];
            return blobs.length > 0 ? [{ path: [node.name], blobs }] : NONE;
          }
          if (node.type !== 'dir' || node.subtree === null) return NONE;
          const own: Hit[] = damaged.has(node.subtree) ? [{ path: [node.name], blobs: [node.subtree] }] : [];
          const below = await hitsIn(node.subtree);
          return below.length === 0 ? own : [...own, ...below.map((h) => ({ path: [node.name, ...h.path], blobs: h.blobs }))];
        }),
      );
      const hits = perNode.flat();
      return hits.length === 0 ? NONE : hits;
    };
    const bySnapshot = await Promise.all(
      snapshots.map(async (s) => {
        const root: Hit[] = damaged.has(s.tree) ? [{ path: [], blobs: [s.tree] }] : [];
        return { snapshot: s.id, hits: [...root, ...(await hitsIn(s.tree))] };
      }),
    );
    return new AffectedPaths(bySnapshot);
  }

  /** The snapshots and paths that depend on any of `blobs`, at most `maxPaths` paths each. */
  of(blobs: readonly Id[], maxPaths: number): AffectedSnapshot[] {
    const wanted = new Set(blobs);
    const out: AffectedSnapshot[] = [];
    for (const { snapshot, hits } of this.bySnapshot) {
      const matching = hits.filter((h) => h.blobs.some((b) => wanted.has(b)));
      if (matching.length === 0) continue;
      const paths = matching.slice(0, maxPaths).map((h) => pathText(h.path));
      out.push(matching.length > maxPaths ? { snapshot, paths, more: matching.length - maxPaths } : { snapshot, paths });
    }
    return out;
  }
}
