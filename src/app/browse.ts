import { LifeboatError } from '../errors/index.js';
import { formatGoTime, stModeFromFileMode, type Id, type NodeType } from '../model/index.js';
import { availableParallelism } from 'node:os';
import { BlobWorkerPool, type Repository } from '../repo/index.js';
import { findNode, pathText, restoreTree, walkTree, type RestoreReporter, type RestoreResult } from '../restorer/index.js';
import { findSnapshot } from './snapshot-select.js';

export interface ListedNode {
  readonly name: string;
  readonly type: NodeType;
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** POSIX mode bits (permissions and setuid/setgid/sticky). */
  readonly mode: number;
  readonly mtime: string;
}

/** The nodes of a snapshot at and below `prefix`, in tree order (the repository's index must be loaded). */
export async function* listSnapshotNodes(repo: Repository, treeId: Id, prefix: string): AsyncGenerator<ListedNode> {
  const pre = prefix.replace(/\/+$/, '');
  const inside = (p: string) => pre === '' || p === pre || p.startsWith(pre + '/');
  for await (const e of walkTree(repo, treeId, (d) => { const p = pathText(d.path); return inside(p) || pre.startsWith(p + '/'); })) {
    const p = pathText(e.path);
    if (!inside(p)) continue;
    const n = e.node;
    yield { name: Buffer.from(n.name).toString(), type: n.type, path: p, uid: n.uid, gid: n.gid, size: n.size, mode: stModeFromFileMode(n.mode) & 0o7777, mtime: formatGoTime(n.mtime) };
  }
}

/** Data blob IDs of one file in a snapshot, for dump. */
export async function fileContent(repo: Repository, treeId: Id, path: string, snapshotId: Id): Promise<readonly Id[]> {
  const node = await findNode(repo, treeId, path);
  if (!node) throw new LifeboatError('PATH_NOT_FOUND', `${path} is not in snapshot ${snapshotId.slice(0, 8)}; list the snapshot with "lifeboat ls ${snapshotId.slice(0, 8)}"`);
  if (node.type !== 'file') throw new LifeboatError('INVALID_ARGUMENT', `${path} is a ${node.type}, not a file`);
  return node.content ?? [];
}

export interface RestoreRequest {
  readonly snapshot: string;
  /** A directory inside the snapshot to restore instead of all of it. */
  readonly subpath?: string;
  readonly target: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly asRoot: boolean;
  /** Worker threads that decrypt and verify (default: one per core). */
  readonly workers?: number;
  readonly reporter?: RestoreReporter;
}

export async function runRestore(repo: Repository, req: RestoreRequest): Promise<RestoreResult & { snapshotId: Id }> {
  return repo.withLock(false, async () => {
    const { id, snapshot } = await findSnapshot(repo, req.snapshot);
    let root = snapshot.tree;
    if (req.subpath) {
      const node = await findNode(repo, snapshot.tree, req.subpath);
      if (!node || node.type !== 'dir' || !node.subtree) throw new LifeboatError('PATH_NOT_FOUND', `${req.subpath} is not a directory in snapshot ${id.slice(0, 8)}`);
      root = node.subtree;
    }
    const pool = new BlobWorkerPool(repo.key, req.workers ?? availableParallelism());
    try {
    const result = await restoreTree(repo, root, {
      pool,
      target: req.target,
      asRoot: req.asRoot,
      ...(req.include ? { include: req.include } : {}),
      ...(req.exclude ? { exclude: req.exclude } : {}),
      ...(req.reporter ? { reporter: req.reporter } : {}),
    });
    return { ...result, snapshotId: id };
    } finally {
      await pool.close();
    }
  }, { index: true });
}
