import type { Backend } from '../backend/index.js';
import { LifeboatError } from '../errors/index.js';
import { Repository } from '../repo/index.js';
import type { LifeboatConfig, LocationConfig } from './config/config-types.js';
import type { Environment } from './environment.js';
import { openBackend } from './open-backend.js';
import { readPasswordFile, resolvePassword } from './password.js';
import { kdfParamsFor, repoEnv } from './repo-access.js';

/** A location of lifeboat.yaml with its name. */
export interface NamedLocation {
  readonly name: string;
  readonly location: LocationConfig;
}

/** The locations an app goes to, in the order the config lists them. */
export function appLocations(config: LifeboatConfig, app: string): NamedLocation[] {
  const a = config.apps[app];
  if (!a) throw unknownApp(config, app);
  return a.locations.map((name) => {
    const location = config.locations[name];
    if (!location) throw new LifeboatError('CONFIG_INVALID', `app "${app}" names location "${name}", which is not defined under locations:`);
    return { name, location };
  });
}

export function unknownApp(config: LifeboatConfig, app: string): LifeboatError {
  const names = Object.keys(config.apps);
  return new LifeboatError('INVALID_ARGUMENT', `no app "${app}" in the configuration; the apps are: ${names.join(', ')}`);
}

/**
 * EXTENSION POINT (locations issue): the one Backend an app's snapshot is written to and read
 * from. Today exactly one location, opened by openBackend (so whatever URL kinds openBackend
 * learns work here too). The locations engineer replaces this with a mirror over all of them.
 */
export function openAppBackend(locations: readonly NamedLocation[], env: Environment): Backend {
  if (locations.length === 0) throw new LifeboatError('CONFIG_INVALID', 'the app lists no locations; add one under its locations:');
  if (locations.length > 1) {
    throw new LifeboatError('CONFIG_INVALID', `the app lists ${locations.length} locations (${locations.map((l) => l.name).join(', ')}); only one location per app is supported for now, list just one`);
  }
  return openBackend(locations[0]!.location.url, env.cwd);
}

/** The password of a location: its password_file, password_command or password_env. */
export async function locationPassword(l: NamedLocation, env: Environment): Promise<Uint8Array> {
  const loc = l.location;
  if (loc.passwordFile) return readPasswordFile(loc.passwordFile);
  if (loc.passwordEnv) {
    const v = env.env[loc.passwordEnv];
    if (v === undefined || v === '') throw new LifeboatError('REPO_NO_PASSWORD', `environment variable ${loc.passwordEnv} (password_env of location "${l.name}") is not set; set it to the repository password`);
    return new TextEncoder().encode(v);
  }
  if (loc.passwordCommand) return resolvePassword({ passwordCommand: loc.passwordCommand }, { ...env, env: {} }, `location "${l.name}"`);
  throw new LifeboatError('REPO_NO_PASSWORD', `location "${l.name}" has no password_file, password_command or password_env`);
}

/** Opens the repository of an app (see openAppBackend for how its locations are combined). */
export async function openAppRepository(config: LifeboatConfig, app: string, env: Environment): Promise<Repository> {
  const locations = appLocations(config, app);
  const backend = openAppBackend(locations, env);
  const password = await locationPassword(locations[0]!, env);
  return Repository.open(backend, password, repoEnv(env));
}

/** Creates the app's repository; an existing one is left alone and reported as such. */
export async function initAppRepository(config: LifeboatConfig, app: string, env: Environment): Promise<{ repo: Repository; created: boolean }> {
  const locations = appLocations(config, app);
  const backend = openAppBackend(locations, env);
  const password = await locationPassword(locations[0]!, env);
  try {
    return { repo: await Repository.init(backend, password, repoEnv(env), { kdf: await kdfParamsFor(env) }), created: true };
  } catch (e) {
    if (e instanceof LifeboatError && e.code === 'REPO_ALREADY_EXISTS') return { repo: await Repository.open(backend, password, repoEnv(env)), created: false };
    throw e;
  }
}
