import { createHash } from 'node:crypto';
import { errorLine, type Backend } from '../backend/index.js';
import { LifeboatError } from '../errors/index.js';
import { mapConcurrent } from '../lib/index.js';
import { decodeTree, type FileType, type Id } from '../model/index.js';
import type { Repository } from '../repo/index.js';

/** A location by name, for sync and status. */
export interface NamedBackend {
  readonly name: string;
  readonly backend: Backend;
}

export interface LocationSyncResult {
  readonly name: string;
  readonly location: string;
  readonly reachable: boolean;
  /** Files copied to this location, and their bytes. */
  readonly filesCopied: number;
  readonly bytesCopied: number;
  readonly snapshotsCopied: number;
  /** Snapshots it still lacks because a file they need could not be brought there. */
  readonly snapshotsMissing: number;
  /** Why it is not complete, one line (unreachable, a failed copy). */
  readonly error?: string;
  /** Holds every snapshot (and the files they need) that any reachable location holds. */
  readonly complete: boolean;
}

export interface SyncReport {
  readonly locations: readonly LocationSyncResult[];
  /** Copies found damaged (their content does not match their name); replaced where a good copy existed. */
  readonly damaged?: readonly { readonly location: string; readonly type: FileType; readonly name: string }[];
}

/** Types compared and copied; config and locks never (config is set by init, locks are per run). */
export const SYNCED_TYPES = ['key', 'data', 'index', 'snapshot'] as const satisfies readonly FileType[];

/** Each location's listing of each synced type, or the error that kept it from answering. */
export type Listings = Map<string, { files: Map<FileType, Map<string, number>> } | { error: string }>;

export async function listLocations(locations: readonly NamedBackend[]): Promise<Listings> {
  const out: Listings = new Map();
  await Promise.all(
    locations.map(async (l) => {
      try {
        const files = new Map<FileType, Map<string, number>>();
        for (const t of SYNCED_TYPES) {
          const m = new Map<string, number>();
          for await (const f of l.backend.list(t)) m.set(f.name, f.size);
          files.set(t, m);
        }
        out.set(l.name, { files });
      } catch (e) {
        out.set(l.name, { error: errorLine(e) });
      }
    }),
  );
  return out;
}

/** The pack IDs a snapshot needs: every tree and data blob below its root, through the index. */
export async function packsOfSnapshot(repo: Repository, snapshotId: Id, trees: Map<Id, { subtrees: Id[]; blobs: Id[] }>): Promise<Set<Id>> {
  await repo.loadIndex();
  const snap = await repo.loadSnapshot(snapshotId);
  const packs = new Set<Id>();
  const seen = new Set<Id>();
  const need = (blob: Id): void => {
    const at = repo.index.lookupAll(blob);
    if (at.length === 0) throw new LifeboatError('BLOB_NOT_FOUND', `snapshot ${snapshotId.slice(0, 8)} needs blob ${blob.slice(0, 8)}, which no index lists; run "lifeboat check" on every location`);
    // Any one copy will do; prefer a pack already chosen.
    if (!at.some((l) => packs.has(l.packId))) packs.add(at[0]!.packId);
  };
  const stack: Id[] = [snap.tree];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    need(id);
    let t = trees.get(id);
    if (!t) {
      const nodes = decodeTree(await repo.loadBlob('tree', id));
      t = { subtrees: nodes.flatMap((n) => (n.subtree ? [n.subtree] : [])), blobs: nodes.flatMap((n) => n.content ?? []) };
      trees.set(id, t);
    }
    stack.push(...t.subtrees);
    for (const b of t.blobs) need(b);
  }
  return packs;
}

/**
 * Brings every reachable location up to the union of what they hold: keys, packs and index
 * files first, each copied from a location that has it and checked against its name (the
 * SHA-256 of its bytes); a snapshot file last, and only to a location that by then holds every
 * pack the snapshot needs. `repo` reads snapshots and trees (opened over a mirror of these
 * locations, so any copy will do). Unreachable locations are reported and left alone.
 */
export async function syncLocations(repo: Repository, locations: readonly NamedBackend[], opts: { concurrency?: number } = {}): Promise<SyncReport> {
  const conc = opts.concurrency ?? 4;
  const listings = await listLocations(locations);
  const reachable = locations.filter((l) => 'files' in listings.get(l.name)!);
  const have = (l: NamedBackend, t: FileType): Map<string, number> => (listings.get(l.name) as { files: Map<FileType, Map<string, number>> }).files.get(t)!;
  const stats = new Map(locations.map((l) => [l.name, { files: 0, bytes: 0, snaps: 0, missingSnaps: 0, error: undefined as string | undefined }]));

  /** Copies of a file found damaged (content not matching the name), by location: never spread. */
  const damaged: { location: string; type: FileType; name: string }[] = [];
  const bad = new Set<string>();
  const noteDamaged = (from: NamedBackend, t: FileType, name: string): void => {
    const k = `${from.name}\0${t}\0${name}`;
    if (bad.has(k)) return;
    bad.add(k);
    damaged.push({ location: from.name, type: t, name });
  };

  /** Loads a copy that hashes to its name from one of `holders`, or undefined. */
  const goodCopy = async (t: FileType, name: string, holders: readonly NamedBackend[]): Promise<Uint8Array | undefined> => {
    for (const from of holders) {
      if (bad.has(`${from.name}\0${t}\0${name}`)) continue;
      let bytes: Uint8Array;
      try {
        bytes = await from.backend.load({ type: t, name });
      } catch {
        continue;
      }
      // Every file but config is named by its hash: a damaged copy is never spread.
      if (createHash('sha256').update(bytes).digest('hex') === name) return bytes;
      noteDamaged(from, t, name);
    }
    return undefined;
  };

  /** Saves a verified copy of `name` to `to`; false when none could be found or the save failed. */
  const copy = async (t: FileType, name: string, to: NamedBackend): Promise<boolean> => {
    const s = stats.get(to.name)!;
    if (s.error) return false;
    const bytes = await goodCopy(t, name, reachable.filter((l) => l !== to && have(l, t).has(name)));
    if (bytes === undefined) return false;
    try {
      await to.backend.save({ type: t, name }, bytes);
    } catch (e) {
      s.error = `cannot copy to ${to.name}: ${errorLine(e)}`;
      return false;
    }
    have(to, t).set(name, bytes.length);
    s.files++;
    s.bytes += bytes.length;
    return true;
  };

  /**
   * Copies of one name with different sizes: at least one is damaged (e.g. an object store
   * that published a partial upload when its client was killed). Each copy whose size differs
   * from a verified one is replaced by the verified one.
   */
  const repairSizes = async (t: FileType): Promise<void> => {
    const names = new Set(reachable.flatMap((l) => [...have(l, t).keys()]));
    for (const name of names) {
      const holders = reachable.filter((l) => have(l, t).has(name));
      if (new Set(holders.map((l) => have(l, t).get(name))).size < 2) continue;
      const good = await goodCopy(t, name, holders);
      for (const l of holders) {
        if (good !== undefined && have(l, t).get(name) !== good.length) {
          noteDamaged(l, t, name);
          have(l, t).delete(name);
          await copy(t, name, l);
        }
      }
    }
  };

  const union = (t: FileType): Set<string> => new Set(reachable.flatMap((l) => [...have(l, t).keys()]));
  for (const t of ['key', 'data', 'index'] as const) {
    await repairSizes(t);
    const all = union(t);
    await Promise.all(reachable.map((to) => mapConcurrent([...all].filter((n) => !have(to, t).has(n)), conc, (n) => copy(t, n, to))));
  }

  const trees = new Map<Id, { subtrees: Id[]; blobs: Id[] }>();
  const packsOf = new Map<Id, Set<Id> | Error>();
  const allIndex = union('index');
  for (const snap of union('snapshot')) {
    const lacking = reachable.filter((l) => !have(l, 'snapshot').has(snap));
    if (lacking.length === 0) continue;
    if (!packsOf.has(snap)) packsOf.set(snap, await packsOfSnapshot(repo, snap, trees).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    const packs = packsOf.get(snap)!;
    for (const to of lacking) {
      const s = stats.get(to.name)!;
      // Every pack it needs, and every index file (an index file that could not be brought
      // may be the one that lists them).
      const ready = !(packs instanceof Error) && !s.error && [...packs].every((p) => have(to, 'data').has(p)) && [...allIndex].every((i) => have(to, 'index').has(i));
      if (!ready) {
        s.missingSnaps++;
        if (packs instanceof Error && !s.error) s.error = errorLine(packs);
        continue;
      }
      if (await copy('snapshot', snap, to)) s.snaps++;
      else s.missingSnaps++;
    }
  }

  return {
    ...(damaged.length > 0 ? { damaged } : {}),
    locations: locations.map((l) => {
      const listing = listings.get(l.name)!;
      const s = stats.get(l.name)!;
      if ('error' in listing) return { name: l.name, location: l.backend.location, reachable: false, filesCopied: 0, bytesCopied: 0, snapshotsCopied: 0, snapshotsMissing: 0, error: listing.error, complete: false };
      return {
        name: l.name,
        location: l.backend.location,
        reachable: true,
        filesCopied: s.files,
        bytesCopied: s.bytes,
        snapshotsCopied: s.snaps,
        snapshotsMissing: s.missingSnaps,
        ...(s.error ? { error: s.error } : {}),
        complete: !s.error && s.missingSnaps === 0,
      };
    }),
  };
}

