import { join } from 'node:path';
import { LifeboatError } from '../../errors/index.js';
import { systemClock, type Clock } from '../../lib/index.js';
import { JOURNAL_FILE, openJournal, type Journal } from '../../journal/index.js';
import { Repository } from '../../repo/index.js';
import { mysqlTarget, nodeProcessRunner, pgTarget, type DatabaseSpec, type DbConnection, type ProcessRunner, type SourceSpec } from '../../sources/index.js';
import { appLocations, explainWrongPassword, locationPassword, type NamedLocation } from '../app-repository.js';
import type { AppConfig, LifeboatConfig } from '../config/config-types.js';
import { loadConfig, type ConfigLookup } from '../config/load-config.js';
import type { Environment } from '../environment.js';
import { openBackend } from '../open-backend.js';
import { repoEnv } from '../repo-access.js';
import { stateDirFor } from '../state-dir.js';
import { resolveAppSources } from '../app-sources.js';
import { checkPrefix, DEFAULT_SCRATCH_PREFIX } from './scratch-names.js';

/** What drill, keys and guard need about one app, resolved once from the config and the environment. */
export interface AppContext {
  readonly name: string;
  readonly config: LifeboatConfig;
  readonly app: AppConfig;
  readonly locations: readonly NamedLocation[];
  readonly stateDir: string;
  readonly scratchPrefix: string;
  readonly env: Environment;
  readonly runner: ProcessRunner;
  readonly clock: Clock;
}

export interface AppDeps {
  readonly env: Environment;
  readonly runner: ProcessRunner;
  readonly clock: Clock;
}

export function appContext(lookup: ConfigLookup, name: string, deps: AppDeps): AppContext {
  const { config } = loadConfig(lookup);
  const app = config.apps[name];
  if (!app) throw new LifeboatError('INVALID_ARGUMENT', `no app "${name}" in the configuration; the apps are: ${Object.keys(config.apps).join(', ')}`);
  // LIFEBOAT_SCRATCH_PREFIX lets tests and shared database servers keep drills apart.
  const prefix = checkPrefix(deps.env.env['LIFEBOAT_SCRATCH_PREFIX'] || DEFAULT_SCRATCH_PREFIX);
  return { name, config, app, locations: appLocations(config, name), stateDir: stateDirFor(deps.env, config.stateDir), scratchPrefix: prefix, ...deps };
}

export function pickLocation(ctx: AppContext, name: string | undefined): NamedLocation {
  if (name === undefined) return ctx.locations[0]!;
  const l = ctx.locations.find((x) => x.name === name);
  if (!l) throw new LifeboatError('INVALID_ARGUMENT', `app "${ctx.name}" has no location "${name}"; its locations are: ${ctx.locations.map((x) => x.name).join(', ')}`);
  return l;
}

/** Opens one location's repository on its own (drill and guard read each location separately). */
export async function openLocation(ctx: AppContext, l: NamedLocation): Promise<Repository> {
  const backend = openBackend(l.location.url, ctx.env.cwd, ctx.env.env);
  return explainWrongPassword(Repository.open(backend, await locationPassword(l, ctx.env), repoEnv(ctx.env)), [l.name], l);
}

/** Runs `fn` on one location's repository and closes its backend afterwards (SFTP and S3 hold connections). */
export async function withLocation<T>(ctx: AppContext, l: NamedLocation, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await openLocation(ctx, l);
  try {
    return await fn(repo);
  } finally {
    await repo.backend.close().catch(() => undefined);
  }
}

export function appJournal(ctx: AppContext): Journal {
  return openJournal(join(ctx.stateDir, JOURNAL_FILE), ctx.clock);
}

/** Servers for scratch databases: the app's own (its database sources), the first of each engine. */
export function scratchServers(databases: readonly DatabaseSpec[]): Partial<Record<'postgres' | 'mysql', DbConnection>> {
  const out: Partial<Record<'postgres' | 'mysql', DbConnection>> = {};
  for (const d of databases) {
    // Only the server part: the scratch database replaces the one a URL may name.
    out[d.kind] ??= {
      ...(d.url ? { url: d.url } : {}),
      ...(d.host ? { host: d.host } : {}),
      ...(d.port ? { port: d.port } : {}),
      ...(d.socket ? { socket: d.socket } : {}),
      ...(d.user ? { user: d.user } : {}),
      ...(d.password !== undefined ? { password: d.password } : {}),
    };
  }
  return out;
}

/** The real process runner and clock, for the CLI. */
export function defaultAppDeps(env: Environment): AppDeps {
  return { env, runner: nodeProcessRunner({ env: env.env }), clock: systemClock };
}

/** The app's sources, config and preset discovery merged (the same as backup uses). */
export function appSourceSpecs(ctx: AppContext): readonly SourceSpec[] {
  return resolveAppSources(ctx.name, ctx.app, ctx.env).specs;
}

/** The database a source names (its `database`, else the one in its URL); undefined for `all` or none. */
export function databaseNameOf(s: DatabaseSpec): string | undefined {
  if (s.database === 'all') return undefined;
  return s.database ?? (s.kind === 'postgres' ? pgTarget(s, undefined).database : mysqlTarget(s).database);
}
