import { errorLine, MirrorBackend, type MemberState } from '../backend/index.js';
import { open } from '../crypto/index.js';
import { isLifeboatError, LifeboatError } from '../errors/index.js';
import { decodeRepoConfig, Repository, type RepoEnv } from '../repo/index.js';
import type { ScryptParams } from '../crypto/index.js';
import { syncLocations, type NamedBackend, type SyncReport } from './sync-locations.js';

/** Why a location cannot take part in a run, found before anything is written. */
async function probe(repo: Repository | undefined, l: NamedBackend): Promise<string | undefined> {
  let sealed: Uint8Array;
  try {
    sealed = await l.backend.load({ type: 'config', name: '' });
  } catch (e) {
    if (isLifeboatError(e, 'BACKEND_NOT_FOUND')) return `there is no repository at ${l.backend.location}; create it with "lifeboat init --app NAME" (or "lifeboat init -r L1 -r L2..." naming every location)`;
    return errorLine(e);
  }
  if (!repo) return undefined;
  try {
    const c = decodeRepoConfig(open(repo.key, sealed));
    if (c.id !== repo.config.id || c.chunkerPolynomial !== repo.config.chunkerPolynomial) {
      return `${l.backend.location} holds a different repository (id ${c.id.slice(0, 10)}, not ${repo.config.id.slice(0, 10)}); it is not a mirror of the others`;
    }
  } catch {
    return `${l.backend.location} holds a repository with another master key; it is not a mirror of the others`;
  }
  return undefined;
}

export interface OpenedMirror {
  readonly repo: Repository;
  readonly mirror: MirrorBackend;
  readonly sync: SyncReport;
}

/**
 * Opens one Repository over a mirror of the locations: every reachable location that holds
 * this repository (same master key and config) takes part; the others are marked behind
 * before anything is written. With `sync`, reachable locations are first brought up to date
 * (`syncLocations`), and one whose sync fails is behind too: a location that lacks packs the
 * index claims must not get snapshots that would depend on them.
 */
export async function openMirror(locations: readonly NamedBackend[], password: Uint8Array, env: RepoEnv, opts: { sync: boolean }): Promise<OpenedMirror> {
  const reasons = await Promise.all(locations.map((l) => probe(undefined, l)));
  const up = locations.filter((_, i) => reasons[i] === undefined);
  if (up.length === 0) {
    throw new LifeboatError('LOCATIONS_ALL_FAILED', `no location is reachable: ${locations.map((l, i) => `${l.name}: ${reasons[i]}`).join('; ')}`);
  }
  const mirror = new MirrorBackend(locations);
  locations.forEach((l, i) => reasons[i] !== undefined && mirror.markBehind(l.name, reasons[i]!));
  const repo = await Repository.open(mirror, password, env);
  for (const l of up) {
    const why = await probe(repo, l);
    if (why) mirror.markBehind(l.name, why);
  }
  const healthy = new Set(mirror.states().filter((s) => !s.behind).map((s) => s.name));
  const members = locations.filter((l) => healthy.has(l.name));
  let sync: SyncReport = { locations: [] };
  if (opts.sync && members.length > 1) {
    sync = await repo.withLock(false, () => syncLocations(repo, members));
    for (const r of sync.locations) if (!r.complete) mirror.markBehind(r.name, `sync: ${r.error ?? `${r.snapshotsMissing} snapshot(s) could not be brought there`}`);
  }
  return { repo, mirror, sync };
}

/** The per-location outcome of a run, for `--json` and the behind exit code. */
export function behindLocations(states: readonly MemberState[]): MemberState[] {
  return states.filter((s) => s.behind);
}

export interface InitLocationsResult {
  readonly repo: Repository;
  /** Per location: made now, already there (the same repository), or the adopted source. */
  readonly locations: readonly { name: string; location: string; status: 'created' | 'exists' | 'adopted' }[];
}

/**
 * Creates a repository in every location with one master key and config, so each is a complete
 * restic repository and all deduplicate alike. The first location that already holds a
 * repository is **adopted**: its key and config are used for the others (open with its
 * password). Otherwise the first location creates them. Locations that already hold the same
 * repository are left alone; one holding another repository stops the init before anything
 * is written.
 */
export async function initLocations(
  locations: readonly NamedBackend[],
  passwords: readonly Uint8Array[],
  env: RepoEnv,
  kdf: ScryptParams,
): Promise<InitLocationsResult> {
  const existing = await Promise.all(
    locations.map((l) =>
      l.backend.stat({ type: 'config', name: '' }).then(
        () => true,
        (e: unknown) => {
          if (isLifeboatError(e, 'BACKEND_NOT_FOUND')) return false;
          throw e;
        },
      ),
    ),
  );
  const src = existing.indexOf(true);
  let repo: Repository;
  const status: ('created' | 'exists' | 'adopted')[] = locations.map(() => 'created');
  if (src >= 0) {
    repo = await Repository.open(locations[src]!.backend, passwords[src]!, env);
    status[src] = 'adopted';
  } else {
    repo = await Repository.init(locations[0]!.backend, passwords[0]!, env, { kdf });
  }
  for (let i = 0; i < locations.length; i++) {
    if (i === src || (src < 0 && i === 0) || !existing[i]) continue;
    const why = await probe(repo, locations[i]!);
    if (why) throw new LifeboatError('REPO_ALREADY_EXISTS', `cannot make ${locations[i]!.name} a mirror: ${why}; empty it or choose another location`);
    status[i] = 'exists';
  }
  for (let i = 0; i < locations.length; i++) {
    if (existing[i] || (src < 0 && i === 0)) continue;
    await Repository.init(locations[i]!.backend, passwords[i]!, env, { kdf, masterKey: repo.key, config: repo.config });
  }
  return { repo, locations: locations.map((l, i) => ({ name: l.name, location: l.backend.location, status: status[i]! })) };
}
