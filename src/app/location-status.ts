import { mapConcurrent } from '../lib/index.js';
import { formatGoTime } from '../model/index.js';
import type { Repository } from '../repo/index.js';
import type { LocationRecords } from './location-records.js';
import { listLocations, SYNCED_TYPES, type NamedBackend } from './sync-locations.js';

export interface LocationStatus {
  readonly name: string;
  readonly location: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly snapshots: number;
  /** The newest snapshot there: its ID and time (RFC 3339). */
  readonly latest?: { readonly id: string; readonly time: string };
  /** Snapshots some reachable location holds and this one lacks. */
  readonly snapshotsBehind: number;
  /** Bytes of keys, packs, index and snapshot files some reachable location holds and this one lacks. */
  readonly bytesBehind: number;
  /** The last `lifeboat check` that passed on this location, when one was recorded here. */
  readonly lastCheck?: string;
  /** The last run that left it behind, with why, when recorded and not synced since. */
  readonly behindSince?: { readonly time: string; readonly reason: string };
}

/**
 * Where each location stands, from listings alone (plus the snapshot files, to date the
 * latest): reachable or not, how many snapshots, how far behind the union of the reachable
 * ones. `repo` decrypts snapshot files (any location's copy: they are content-addressed).
 */
export async function locationStatus(repo: Repository, locations: readonly NamedBackend[], records?: LocationRecords): Promise<LocationStatus[]> {
  const listings = await listLocations(locations);
  const union = new Map<string, Map<string, number>>();
  for (const l of listings.values()) {
    if (!('files' in l)) continue;
    for (const t of SYNCED_TYPES) {
      const u = union.get(t) ?? new Map<string, number>();
      for (const [n, s] of l.files.get(t)!) u.set(n, s);
      union.set(t, u);
    }
  }
  const times = new Map<string, string>();
  await mapConcurrent([...(union.get('snapshot')?.keys() ?? [])], 8, async (id) => {
    const s = await repo.loadSnapshot(id).catch(() => undefined);
    if (s) times.set(id, formatGoTime(s.time));
  });
  return locations.map((l) => {
    const listing = listings.get(l.name)!;
    const rec = records?.get(l.backend.location);
    const common = { name: l.name, location: l.backend.location, ...(rec?.lastCheck ? { lastCheck: rec.lastCheck } : {}), ...(rec?.behindSince ? { behindSince: rec.behindSince } : {}) };
    if (!('files' in listing)) return { ...common, reachable: false, error: listing.error, snapshots: 0, snapshotsBehind: 0, bytesBehind: 0 };
    let bytesBehind = 0;
    for (const t of SYNCED_TYPES) for (const [n, s] of union.get(t) ?? []) if (!listing.files.get(t)!.has(n)) bytesBehind += s;
    const mine = [...listing.files.get('snapshot')!.keys()];
    const latest = mine.filter((id) => times.has(id)).sort((a, b) => (times.get(a)! < times.get(b)! ? 1 : -1))[0];
    return {
      ...common,
      reachable: true,
      snapshots: mine.length,
      ...(latest ? { latest: { id: latest, time: times.get(latest)! } } : {}),
      snapshotsBehind: [...(union.get('snapshot')?.keys() ?? [])].filter((id) => !listing.files.get('snapshot')!.has(id)).length,
      bytesBehind,
    };
  });
}
