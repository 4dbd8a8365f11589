import { shortId, type Id, type Node } from '../model/index.js';
import { openBlob, type MasterIndex, type Repository } from '../repo/index.js';
import { judge, loadChecked } from './checked-load.js';
import { decodeTreeLeniently } from './tree-nodes.js';

export type TreeLoad =
  | { readonly status: 'ok'; readonly nodes: Node[]; readonly nodeProblems: string[] }
  /** No index lists a tree blob with this ID. */
  | { readonly status: 'missing' }
  /** Listed, but no copy could be read intact; `packMissing` marks copies in packs that are gone. */
  | { readonly status: 'unreadable'; readonly failures: readonly { pack: Id; message: string; packMissing: boolean }[] }
  /** Read intact (it hashes to its ID), but it is not a tree. */
  | { readonly status: 'invalid'; readonly pack: Id; readonly message: string };

/**
 * Loads tree blobs through check's own index, trying every pack that holds a copy, and
 * says why when it cannot (Repository.loadBlob would throw instead).
 */
export class TreeLoader {
  constructor(
    private readonly repo: Repository,
    private readonly index: MasterIndex,
    private readonly missingPacks: ReadonlySet<Id>,
  ) {}

  async load(id: Id): Promise<TreeLoad> {
    const locations = this.index.lookupAll(id).filter((l) => l.type === 'tree');
    if (locations.length === 0) return { status: 'missing' };
    const failures: { pack: Id; message: string; packMissing: boolean }[] = [];
    for (const l of locations) {
      if (this.missingPacks.has(l.packId)) {
        failures.push({ pack: l.packId, message: `pack ${shortId(l.packId)} does not exist`, packMissing: true });
        continue;
      }
      const sealed = await loadChecked(this.repo, 'data', l.packId, { offset: l.offset, length: l.length });
      const plain = sealed.ok ? judge(() => openBlob(this.repo.key, id, sealed.value, l.uncompressedLength)) : sealed;
      if (!plain.ok) {
        failures.push({ pack: l.packId, message: plain.message, packMissing: false });
        continue;
      }
      const tree = judge(() => decodeTreeLeniently(plain.value));
      if (!tree.ok) return { status: 'invalid', pack: l.packId, message: tree.message };
      return { status: 'ok', nodes: tree.value.nodes, nodeProblems: tree.value.problems };
    }
    return { status: 'unreadable', failures };
  }
}
