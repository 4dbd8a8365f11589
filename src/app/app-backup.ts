import { availableParallelism, tmpdir } from 'node:os';
import { Archiver, type BackupReporter, type SourceError } from '../archiver/index.js';
import { goTimeFromDate, type Id, type Snapshot } from '../model/index.js';
import { BlobWorkerPool, RepoWriter, type Repository } from '../repo/index.js';
import {
  bytesFile, jsonBytes, keyInventory, keyInventoryFile, planFiles, planMysql, planPostgres, planSecrets, secretFiles,
  type DatabaseSpec, type FilesSpec, type ProcessRunner, type SecretsSpec, type VirtualFile,
} from '../sources/index.js';
import type { MemberState } from '../backend/index.js';
import { openAppMirror } from './app-repository.js';
import { recordMirrorRun } from './location-records.js';
import { resolveAppSources } from './app-sources.js';
import type { LifeboatConfig } from './config/config-types.js';
import type { Environment } from './environment.js';
import { findParent } from './snapshot-select.js';
import { appTag } from './app-snapshots.js';

export interface AppBackupOptions {
  readonly runner: ProcessRunner;
  /** Tool names or paths (pg_dump, psql, pg_dumpall, mysqldump, mysql) when not the usual ones. */
  readonly tools?: Readonly<Record<string, string>>;
  readonly workers?: number;
  readonly reporter?: BackupReporter;
  readonly signal?: AbortSignal;
}

/** `/lifeboat/app.json` of the shared formats: what the app declared for this snapshot. */
export interface AppManifest {
  readonly version: 1;
  readonly app: string;
  readonly preset: string | null;
  readonly root: string | null;
  readonly sources: readonly ({ kind: 'postgres' | 'mysql'; database: string } | { kind: 'files'; paths: readonly string[] } | { kind: 'secrets'; names: readonly string[] })[];
}

export interface AppBackupResult {
  readonly app: string;
  readonly snapshotId: Id;
  readonly parent?: Id;
  readonly databases: readonly { readonly engine: string; readonly database: string }[];
  readonly files: readonly string[];
  readonly secrets: readonly string[];
  readonly notes: readonly string[];
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnmodified: number;
  readonly dataAdded: number;
  readonly totalBytesProcessed: number;
  readonly durationMs: number;
  readonly errors: readonly SourceError[];
  /** Each location of the app: saved, or behind (and why). */
  readonly locations: readonly MemberState[];
  /** Names of the locations that lack this snapshot (the CLI exits with LOCATIONS_BEHIND's code). */
  readonly behind: readonly string[];
}

/**
 * One snapshot of everything an app is: files, database dumps streamed from their tools,
 * secrets with the key inventory, and the app manifest, tagged app:NAME. Every source is
 * planned (tools found, servers reached, secrets read) before the first byte is written,
 * and the snapshot is saved last: a dump that fails leaves no snapshot at all.
 */
export async function runAppBackup(config: LifeboatConfig, name: string, env: Environment, opts: AppBackupOptions): Promise<AppBackupResult> {
  const app = config.apps[name]!;
  const { specs, notes } = resolveAppSources(name, app, env);
  // Over all the app's locations: reachable ones synced first, then one pass writes to each.
  const { repo, mirror } = await openAppMirror(config, name, env, { sync: true });
  try {
    const r = await appSnapshot(repo, config, name, env, opts, specs, notes);
    const states = mirror.states();
    recordMirrorRun(states, env, repo.env.clock.now().toISOString(), config.stateDir);
    return { ...r, locations: states, behind: states.filter((s) => s.behind).map((s) => s.name) };
  } finally {
    await mirror.close();
  }
}

async function appSnapshot(
  repo: Repository,
  config: LifeboatConfig,
  name: string,
  env: Environment,
  opts: AppBackupOptions,
  specs: ReturnType<typeof resolveAppSources>['specs'],
  notes: readonly string[],
): Promise<Omit<AppBackupResult, 'locations' | 'behind'>> {
  const app = config.apps[name]!;
  return repo.withLock(false, async () => {
    const started = repo.env.clock.now();
    const deps = { runner: opts.runner, now: () => repo.env.clock.now(), ...(opts.tools ? { tools: opts.tools } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
    const virtual: VirtualFile[] = [];
    const databases: { engine: 'postgres' | 'mysql'; database: string }[] = [];
    for (const spec of specs.filter((s): s is DatabaseSpec => s.kind === 'postgres' || s.kind === 'mysql')) {
      const plan = spec.kind === 'postgres' ? await planPostgres(spec, deps) : await planMysql(spec, deps);
      virtual.push(...plan.files);
      databases.push(...plan.databases.map((database) => ({ engine: spec.kind, database })));
    }
    const files = planFiles(specs.filter((s): s is FilesSpec => s.kind === 'files'));
    const secrets = planSecrets(specs.filter((s): s is SecretsSpec => s.kind === 'secrets'));
    virtual.push(...secretFiles(secrets), keyInventoryFile(keyInventory(secrets, repo.key.encrypt)));
    const manifest: AppManifest = {
      version: 1,
      app: name,
      preset: app.preset ?? null,
      root: app.root ?? null,
      sources: [
        ...databases.map((d) => ({ kind: d.engine, database: d.database })),
        ...(files.paths.length ? [{ kind: 'files' as const, paths: files.paths }] : []),
        { kind: 'secrets' as const, names: secrets.items.map((i) => i.name) },
      ],
    };
    virtual.push(bytesFile('/lifeboat/app.json', jsonBytes(manifest), 0o644));
    const roots = [...new Set(virtual.map((v) => `/${v.path.split('/')[1]}`))];
    const paths = [...files.paths, ...roots];
    const parent = await findParent(repo, env.hostname, paths);
    const result = await archive(repo, { paths, realPaths: files.paths, excludes: files.excludes, virtual, parent, name, env, opts, started });
    const missing = secrets.missing.length ? [`optional secrets not present: ${secrets.missing.join(', ')}`] : [];
    return {
      app: name,
      snapshotId: result.snapshotId,
      ...(parent ? { parent: parent.id } : {}),
      databases,
      files: files.paths,
      secrets: secrets.items.map((i) => i.name),
      notes: [...notes, ...missing],
      ...result.counts,
      durationMs: repo.env.clock.now().getTime() - started.getTime(),
      errors: result.errors,
    };
  }, { index: true });
}

interface ArchiveInput {
  readonly paths: readonly string[];
  readonly realPaths: readonly string[];
  readonly excludes: readonly string[];
  readonly virtual: readonly VirtualFile[];
  readonly parent: Awaited<ReturnType<typeof findParent>>;
  readonly name: string;
  readonly env: Environment;
  readonly opts: AppBackupOptions;
  readonly started: Date;
}

async function archive(repo: Repository, a: ArchiveInput) {
  const pool = new BlobWorkerPool(repo.key, a.opts.workers ?? availableParallelism());
  const writer = new RepoWriter(repo, { pool, spillDir: tmpdir(), compression: 'auto' });
  try {
    const time = goTimeFromDate(a.started);
    const archiver = new Archiver(repo, writer, {
      paths: a.realPaths,
      excludes: a.excludes,
      virtualFiles: a.virtual,
      hostname: a.env.hostname,
      username: a.env.username,
      uid: a.env.uid,
      gid: a.env.gid,
      tags: [appTag(a.name)],
      time,
      parent: a.parent,
    }, a.opts.reporter);
    const result = await archiver.run();
    await writer.finishPacks();
    // The workers are done: their memory goes before the index is encoded.
    await pool.close();
    await writer.flush();
    const snapshot: Snapshot = {
      time,
      ...(a.parent ? { parent: a.parent.id } : {}),
      tree: result.tree,
      paths: a.paths,
      hostname: a.env.hostname,
      ...(a.env.username ? { username: a.env.username } : {}),
      ...(a.env.uid ? { uid: a.env.uid } : {}),
      ...(a.env.gid ? { gid: a.env.gid } : {}),
      ...(a.excludes.length ? { excludes: a.excludes } : {}),
      tags: [appTag(a.name)],
    };
    const snapshotId = await repo.saveSnapshot(snapshot);
    const c = result.counts;
    return {
      snapshotId,
      errors: result.errors,
      counts: { filesNew: c.filesNew, filesChanged: c.filesChanged, filesUnmodified: c.filesUnmodified, dataAdded: writer.stats.dataAdded, totalBytesProcessed: c.bytesProcessed },
    };
  } finally {
    await writer.abandon(); // temp packs of a run that failed
    await pool.close();
  }
}
