import { LifeboatError } from '../errors/index.js';
import type { RetentionPolicy, SelectFilter } from '../policy/index.js';
import { appLocations, appNamedBackends, locationPassword } from './app-repository.js';
import { appTag } from './app-snapshots.js';
import type { LifeboatConfig } from './config/config-types.js';
import type { Environment } from './environment.js';
import { forgetSnapshots, openReopenable, pruneWithLock, type ForgetReport, type ForgetRequest, type Reopenable } from './forget.js';
import { openBackend } from './open-backend.js';
import { resolvePassword } from './password.js';
import type { PruneOptions, PruneReport } from './prune.js';
import { repositoryUrl, type RepoOptions } from './repo-access.js';

/** The repository of -r / LIFEBOAT_REPOSITORY, openable twice with one password prompt. */
export async function openForRetention(opts: RepoOptions, env: Environment): Promise<Reopenable> {
  const backend = openBackend(repositoryUrl(opts, env), env.cwd, env.env);
  return openReopenable(backend, await resolvePassword(opts, env), env, opts.keyHint);
}

export interface LocationOutcome<T> {
  readonly location: string;
  readonly result?: T;
  readonly error?: { readonly code: string; readonly message: string };
}

/** The app's `keep:` with the command line's rules on top (a flag given replaces that rule). */
export function appPolicy(config: LifeboatConfig, app: string, flags: RetentionPolicy): RetentionPolicy {
  const keep = config.apps[app]?.keep ?? {};
  return { ...keep, ...flags };
}

/** Only the app's snapshots (tag app:NAME), within any --tag lists given. */
export function appFilter(app: string, f: SelectFilter): SelectFilter {
  const tag = appTag(app);
  const lists = f.tagLists?.length ? f.tagLists.map((l) => [...l, tag]) : [[tag]];
  return { ...f, tagLists: lists };
}

/** Runs `fn` on each location of the app on its own; one failing does not stop the others. */
async function eachLocation<T>(config: LifeboatConfig, app: string, env: Environment, fn: (r: Reopenable) => Promise<T>): Promise<LocationOutcome<T>[]> {
  const named = appLocations(config, app);
  if (named.length === 0) throw new LifeboatError('CONFIG_INVALID', `app "${app}" lists no locations; add one under its locations:`);
  const backends = appNamedBackends(named, env);
  const out: LocationOutcome<T>[] = [];
  for (let i = 0; i < named.length; i++) {
    const { name, backend } = backends[i]!;
    try {
      const r = await openReopenable(backend, await locationPassword(named[i]!, env), env);
      out.push({ location: name, result: await fn(r) });
    } catch (e) {
      if (!(e instanceof LifeboatError)) throw e;
      // An empty policy is the same mistake everywhere: say it once.
      if (e.code === 'FORGET_EMPTY_POLICY') throw e;
      out.push({ location: name, error: { code: e.code, message: e.message } });
    } finally {
      await backend.close();
    }
  }
  return out;
}

export function forgetApp(config: LifeboatConfig, app: string, env: Environment, req: ForgetRequest): Promise<LocationOutcome<ForgetReport>[]> {
  const full = { ...req, policy: appPolicy(config, app, req.policy), filter: appFilter(app, req.filter) };
  return eachLocation(config, app, env, (r) => forgetSnapshots(r, full));
}

export function pruneApp(config: LifeboatConfig, app: string, env: Environment, opts: PruneOptions): Promise<LocationOutcome<PruneReport>[]> {
  return eachLocation(config, app, env, (r) => pruneWithLock(r, opts));
}
