import { availableParallelism } from 'node:os';
import { isLifeboatError } from '../errors/index.js';
import { formatGoTime, type Id } from '../model/index.js';
import { BlobWorkerPool } from '../repo/index.js';
import { restoreTree, type RestoreReporter, type RestoreResult } from '../restorer/index.js';
import type { DatabaseRestoreResult, ProcessRunner } from '../sources/index.js';
import { appLocations, initAppRepository, openAppRepository, unknownApp } from './app-repository.js';
import { appTag, engineOfTarget, findAppSnapshot, restoreSnapshotDatabase } from './app-snapshots.js';
import type { LifeboatConfig } from './config/config-types.js';
import type { Environment } from './environment.js';
import { readPasswordFile } from './password.js';

/** The apps a command acts on: the one named, or all of them in config order. */
export function selectApps(config: LifeboatConfig, name: string | undefined): string[] {
  if (name === undefined) return Object.keys(config.apps);
  if (!config.apps[name]) throw unknownApp(config, name);
  return [name];
}

export interface AppInitResult {
  readonly app: string;
  readonly location: string;
  readonly repository: string;
  readonly id: string;
  readonly created: boolean;
  /** Every location of the app: created now, already there, or adopted as the source of key and config. */
  readonly locations: readonly { readonly name: string; readonly location: string; readonly status: 'created' | 'exists' | 'adopted' }[];
}

/** `lifeboat init --app NAME`: the app's repository (an existing one is kept as it is). */
export async function initApp(config: LifeboatConfig, app: string, env: Environment): Promise<AppInitResult> {
  const loc = appLocations(config, app)[0]!;
  const { repo, created, locations } = await initAppRepository(config, app, env);
  return { app, location: loc.name, repository: locations[0]?.location ?? repo.backend.location, id: repo.config.id, created, locations };
}

export interface AppListing {
  readonly app: string;
  readonly preset: string | null;
  readonly root: string | null;
  readonly locations: readonly string[];
  readonly snapshots: number;
  readonly last?: { readonly id: Id; readonly time: string };
  /** Why the repository could not be read (one line), instead of the snapshot columns. */
  readonly problem?: string;
}

/** `lifeboat apps`: every app with its last snapshot; an unreadable repository is a row, not a failure. */
export async function listApps(config: LifeboatConfig, env: Environment): Promise<AppListing[]> {
  const out: AppListing[] = [];
  for (const [app, a] of Object.entries(config.apps)) {
    const base = { app, preset: a.preset ?? null, root: a.root ?? null, locations: a.locations };
    try {
      const repo = await openAppRepository(config, app, env);
      const mine = (await repo.listSnapshots()).filter((e) => e.snapshot.tags?.includes(appTag(app)));
      const last = mine.at(-1);
      out.push({ ...base, snapshots: mine.length, ...(last ? { last: { id: last.id, time: formatGoTime(last.snapshot.time) } } : {}) });
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      out.push({ ...base, snapshots: 0, problem: `${e.code}: ${e.message}` });
    }
  }
  return out;
}

export interface AppRestoreRequest {
  readonly snapshot: string;
  readonly target: string;
  /** Also write the database dumps (under TARGET/databases); they are left out by default. */
  readonly includeDumps?: boolean;
  readonly asRoot: boolean;
  readonly reporter?: RestoreReporter;
}

/** `lifeboat restore --app NAME --target DIR`: the files, secrets and manifest of a snapshot. */
export async function restoreApp(config: LifeboatConfig, app: string, req: AppRestoreRequest, env: Environment): Promise<RestoreResult & { snapshotId: Id }> {
  const repo = await openAppRepository(config, app, env);
  return repo.withLock(false, async () => {
    const { id, snapshot } = await findAppSnapshot(repo, app, req.snapshot);
    const pool = new BlobWorkerPool(repo.key, availableParallelism());
    try {
      const result = await restoreTree(repo, snapshot.tree, {
        pool,
        target: req.target,
        asRoot: req.asRoot,
        ...(req.includeDumps ? {} : { exclude: ['/databases'] }),
        ...(req.reporter ? { reporter: req.reporter } : {}),
      });
      return { ...result, snapshotId: id };
    } finally {
      await pool.close();
    }
  }, { index: true });
}

export interface AppDatabaseRestoreRequest {
  readonly snapshot: string;
  readonly database: string;
  /** postgres://user@host:port/NEWDB or mysql://user@host/NEWDB (no password in it). */
  readonly into: string;
  readonly passwordFile?: string;
  readonly force?: boolean;
  readonly noOwner?: boolean;
}

/** `lifeboat restore --app NAME --database DB --into URL`. */
export async function restoreAppDatabase(config: LifeboatConfig, app: string, req: AppDatabaseRestoreRequest, env: Environment, runner: ProcessRunner): Promise<DatabaseRestoreResult & { snapshotId: Id }> {
  const engine = engineOfTarget(req.into);
  const password = req.passwordFile ? new TextDecoder().decode(readPasswordFile(req.passwordFile)) : undefined;
  const repo = await openAppRepository(config, app, env);
  return repo.withLock(false, async () => {
    const entry = await findAppSnapshot(repo, app, req.snapshot);
    const r = await restoreSnapshotDatabase(repo, entry, { database: req.database, engine, into: { url: req.into, ...(password !== undefined ? { password } : {}) }, ...(req.force ? { force: true } : {}), ...(req.noOwner ? { noOwner: true } : {}) }, { runner });
    return { ...r, snapshotId: entry.id };
  }, { index: true });
}
