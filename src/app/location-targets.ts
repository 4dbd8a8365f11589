import { LifeboatError } from '../errors/index.js';
import { openAppLocations } from './app-repository.js';
import { loadConfig, type ConfigLookup } from './config/load-config.js';
import type { Environment } from './environment.js';
import { locationsFromUrls } from './mirror-runs.js';
import { resolvePassword, type PasswordOptions } from './password.js';
import { repositoryUrl } from './repo-access.js';
import type { NamedBackend } from './sync-locations.js';

/** The locations a mirrored command works on, with the password of each. */
export interface LocationTargets {
  readonly locations: NamedBackend[];
  readonly passwords: Uint8Array[];
  /** The app's state_dir from lifeboat.yaml, when given by --app. */
  readonly stateDir?: string;
}

/**
 * `--app NAME`: the app's locations from lifeboat.yaml, each with its own password source.
 * Otherwise the `-r` URLs (or LIFEBOAT_REPOSITORY), all with the one password of the command line.
 */
export async function locationTargets(o: { app?: string; urls: readonly string[]; lookup: ConfigLookup } & PasswordOptions, env: Environment): Promise<LocationTargets> {
  if (o.app !== undefined) {
    if (o.urls.length > 0) throw new LifeboatError('INVALID_ARGUMENT', '--app and -r do not go together: the app names its locations in lifeboat.yaml');
    const { config } = loadConfig(o.lookup);
    const { locations, passwords } = await openAppLocations(config, o.app, env);
    return { locations, passwords, ...(config.stateDir ? { stateDir: config.stateDir } : {}) };
  }
  const urls = o.urls.length > 0 ? o.urls : [repositoryUrl({}, env)];
  const password = await resolvePassword(o, env);
  return { locations: locationsFromUrls(urls, env), passwords: urls.map(() => password) };
}
