import type { MemberState } from '../backend/index.js';
import { LifeboatError } from '../errors/index.js';
import { runBackup, type BackupOptions, type BackupSummary } from './backup.js';
import type { Environment } from './environment.js';
import { LocationRecords, recordMirrorRun } from './location-records.js';
import { locationStatus, type LocationStatus } from './location-status.js';
import { initLocations, openMirror, type InitLocationsResult } from './locations.js';
import { openBackend } from './open-backend.js';
import { kdfParamsFor, repoEnv } from './repo-access.js';
import { syncLocations, type NamedBackend, type SyncReport } from './sync-locations.js';

/** Locations given as URLs (repeated `-r`): each named by its printable location. */
export function locationsFromUrls(urls: readonly string[], env: Environment): NamedBackend[] {
  const out = urls.map((u) => ({ name: '', backend: openBackend(u, env.cwd, env.env) }));
  return out.map((l, i) => ({ name: out.filter((o) => o.backend.location === l.backend.location).length > 1 ? `${i + 1}` : l.backend.location, backend: l.backend }));
}

async function closeAll(locations: readonly NamedBackend[]): Promise<void> {
  await Promise.allSettled(locations.map((l) => l.backend.close()));
}

function now(env: Environment): string {
  return repoEnv(env).clock.now().toISOString();
}

export interface MirroredBackupResult {
  readonly summary: BackupSummary;
  readonly locations: readonly MemberState[];
  readonly behind: readonly string[];
  readonly sync: SyncReport;
}

/**
 * A backup over mirrored locations: reachable locations are synced first, then one pass of
 * the archiver writes through the mirror to every healthy location. Resolves when at least one
 * location holds the snapshot; `behind` names the others (the CLI exits with
 * LOCATIONS_BEHIND's code). Each location's outcome is recorded in the state dir.
 */
export async function runMirroredBackup(locations: readonly NamedBackend[], password: Uint8Array, opts: BackupOptions, env: Environment, stateDir?: string): Promise<MirroredBackupResult> {
  try {
    const { repo, mirror, sync } = await openMirror(locations, password, repoEnv(env), { sync: true });
    const summary = await runBackup(repo, opts, env);
    const states = mirror.states();
    recordMirrorRun(states, env, now(env), stateDir);
    return { summary, locations: states, behind: states.filter((s) => s.behind).map((s) => s.name), sync };
  } finally {
    await closeAll(locations);
  }
}

/** `lifeboat sync`: copies what each reachable location lacks; see syncLocations. */
export async function runSyncLocations(locations: readonly NamedBackend[], password: Uint8Array, env: Environment, stateDir?: string): Promise<SyncReport> {
  const records = LocationRecords.load(LocationRecords.stateDir(env, stateDir));
  try {
    const { repo, mirror } = await openMirror(locations, password, repoEnv(env), { sync: false });
    const usable = new Set(mirror.states().filter((s) => !s.behind).map((s) => s.name));
    const report = await repo.withLock(false, () => syncLocations(repo, locations.filter((l) => usable.has(l.name))));
    const byName = new Map(report.locations.map((r) => [r.name, r]));
    const full = locations.map((l) => {
      const r = byName.get(l.name);
      if (r) return r;
      const why = mirror.states().find((s) => s.name === l.name)?.reason ?? 'unavailable';
      return { name: l.name, location: l.backend.location, reachable: false, filesCopied: 0, bytesCopied: 0, snapshotsCopied: 0, snapshotsMissing: 0, error: why, complete: false };
    });
    for (const r of full) if (r.complete) records.update(r.location, (x) => delete x.behindSince);
    records.save();
    return { ...report, locations: full };
  } finally {
    await closeAll(locations);
  }
}

/** `lifeboat locations`: each location's status (see locationStatus). */
export async function runLocationStatus(locations: readonly NamedBackend[], password: Uint8Array, env: Environment, stateDir?: string): Promise<LocationStatus[]> {
  const records = LocationRecords.load(LocationRecords.stateDir(env, stateDir));
  try {
    const { repo } = await openMirror(locations, password, repoEnv(env), { sync: false });
    return await locationStatus(repo, locations, records);
  } finally {
    await closeAll(locations);
  }
}

/** `lifeboat init` over N locations (creation, or adoption of an existing repository). */
export async function runInitLocations(locations: readonly NamedBackend[], passwords: readonly Uint8Array[], env: Environment): Promise<InitLocationsResult> {
  if (locations.length === 0) throw new LifeboatError('INVALID_ARGUMENT', 'no location given');
  try {
    return await initLocations(locations, passwords, repoEnv(env), await kdfParamsFor(env));
  } finally {
    await closeAll(locations);
  }
}
