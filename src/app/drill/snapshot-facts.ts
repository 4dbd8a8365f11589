import { LifeboatError } from '../../errors/index.js';
import { goTimeToDate, type Id } from '../../model/index.js';
import type { Repository, SnapshotEntry } from '../../repo/index.js';
import { findNode, loadTreeNodes } from '../../restorer/index.js';
import { APP_MANIFEST_PATH, KEY_INVENTORY_PATH, parseAppManifest, parseKeyInventory, type AppManifest, type EscrowedKey } from '../../verify/index.js';
import type { SnapshotFacts } from '../../policy/index.js';
import { snapshotFileStream } from '../app-snapshots.js';

const MAX_SMALL = 1024 * 1024;

/** A small file of a snapshot (a manifest, a key), or undefined when it is not there. */
export async function readSmallFile(repo: Repository, e: SnapshotEntry, path: string): Promise<Uint8Array | undefined> {
  const node = await findNode(repo, e.snapshot.tree, path);
  if (!node || node.type !== 'file') return undefined;
  if (node.size > MAX_SMALL) throw new LifeboatError('INVALID_DATA', `${path} in snapshot ${e.id.slice(0, 8)} is ${node.size} bytes; expected a small file`);
  const parts: Uint8Array[] = [];
  for await (const b of snapshotFileStream(repo, e.snapshot.tree, path, e.id)) parts.push(b);
  return new Uint8Array(Buffer.concat(parts));
}

export interface AppSnapshotInfo {
  readonly facts: SnapshotFacts;
  readonly manifest?: AppManifest;
  readonly escrow: readonly EscrowedKey[];
}

/** Database ids (`postgres/x`) with a `.json` next to a dump under /databases/. */
async function dumpIds(repo: Repository, tree: Id): Promise<string[]> {
  const out: string[] = [];
  for (const engine of ['postgres', 'mysql']) {
    const dir = await findNode(repo, tree, `/databases/${engine}`);
    if (!dir || dir.type !== 'dir' || !dir.subtree) continue;
    const names = (await loadTreeNodes(repo, dir.subtree)).map((n) => Buffer.from(n.name).toString());
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      const db = n.slice(0, -5);
      if (names.includes(`${db}.pgdump`) || names.includes(`${db}.sql`)) out.push(`${engine}/${db}`);
    }
  }
  return out;
}

/** What the guard and `keys` need of an app snapshot, read from the repository alone (no restore). */
export async function appSnapshotInfo(repo: Repository, e: SnapshotEntry): Promise<AppSnapshotInfo> {
  const m = await readSmallFile(repo, e, APP_MANIFEST_PATH);
  const k = await readSmallFile(repo, e, KEY_INVENTORY_PATH);
  const manifest = m ? parseAppManifest(m) : undefined;
  const escrow = k ? parseKeyInventory(k) : [];
  return {
    facts: {
      id: e.id,
      time: goTimeToDate(e.snapshot.time),
      databases: await dumpIds(repo, e.snapshot.tree),
      keys: escrow.map((x) => ({ name: x.name, fingerprint: x.fingerprint })),
      declared: { databases: manifest?.databases ?? [], secrets: manifest?.secrets ?? [] },
    },
    ...(manifest ? { manifest } : {}),
    escrow,
  };
}
