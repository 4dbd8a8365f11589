import { decodeTree, type Id, type Node } from '../model/index.js';
import type { Repository } from '../repo/index.js';

/** A node with the path it has inside the snapshot (components of raw bytes). */
export interface WalkEntry {
  readonly node: Node;
  /** Path components from the snapshot root to this node, inclusive. */
  readonly path: readonly Uint8Array[];
}

export async function loadTreeNodes(repo: Repository, id: Id): Promise<Node[]> {
  return decodeTree(await repo.loadBlob('tree', id));
}

/**
 * Depth-first walk of a snapshot tree. `enter` decides whether to descend into a dir;
 * directories are yielded before their children (restorers apply dir metadata afterwards).
 */
export async function* walkTree(
  repo: Repository,
  root: Id,
  enter: (e: WalkEntry) => boolean = () => true,
  prefix: readonly Uint8Array[] = [],
): AsyncGenerator<WalkEntry> {
  for (const node of await loadTreeNodes(repo, root)) {
    const entry: WalkEntry = { node, path: [...prefix, node.name] };
    yield entry;
    if (node.type === 'dir' && node.subtree && enter(entry)) yield* walkTree(repo, node.subtree, enter, entry.path);
  }
}

/** "/a/b" as text for display and matching (invalid UTF-8 shown as U+FFFD). */
export function pathText(path: readonly Uint8Array[]): string {
  return '/' + path.map((c) => Buffer.from(c).toString()).join('/');
}

/** Finds the node at a path inside a snapshot ("/" gives a virtual root dir). */
export async function findNode(repo: Repository, root: Id, path: string): Promise<Node | undefined> {
  const parts = path.split('/').filter((p) => p !== '');
  let tree: Id | null = root;
  let found: Node | undefined;
  for (const part of parts) {
    if (!tree) return undefined;
    const want = Buffer.from(part);
    found = (await loadTreeNodes(repo, tree)).find((n) => Buffer.compare(Buffer.from(n.name), want) === 0);
    if (!found) return undefined;
    tree = found.type === 'dir' ? found.subtree : null;
  }
  return found;
}
