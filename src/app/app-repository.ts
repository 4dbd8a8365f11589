import { MirrorBackend, type Backend } from '../backend/index.js';
import { isLifeboatError, LifeboatError } from '../errors/index.js';
import { Repository } from '../repo/index.js';
import type { LifeboatConfig, LocationConfig } from './config/config-types.js';
import type { Environment } from './environment.js';
import { initLocations, openMirror, type InitLocationsResult, type OpenedMirror } from './locations.js';
import { openBackend } from './open-backend.js';
import type { NamedBackend } from './sync-locations.js';
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
 * The one Backend an app's snapshots are written to and read from: a mirror over all of its
 * locations (a single location is a mirror of one). For backups with sync first and the
 * behind-locations outcome, use `openAppMirror` or `runMirroredBackup` instead.
 */
export function openAppBackend(locations: readonly NamedLocation[], env: Environment): Backend {
  if (locations.length === 0) throw new LifeboatError('CONFIG_INVALID', 'the app lists no locations; add one under its locations:');
  return new MirrorBackend(appNamedBackends(locations, env));
}

/** Each location of the app opened as a Backend, named as in lifeboat.yaml. */
export function appNamedBackends(locations: readonly NamedLocation[], env: Environment): NamedBackend[] {
  return locations.map((l) => ({ name: l.name, backend: openBackend(l.location.url, env.cwd, env.env) }));
}

/** The app's locations and their passwords, ready for the mirrored runs (mirror-runs.ts). */
export async function openAppLocations(config: LifeboatConfig, app: string, env: Environment): Promise<{ locations: NamedBackend[]; passwords: Uint8Array[] }> {
  const named = appLocations(config, app);
  if (named.length === 0) throw new LifeboatError('CONFIG_INVALID', `app "${app}" lists no locations; add one under its locations:`);
  const passwords: Uint8Array[] = [];
  for (const l of named) passwords.push(await locationPassword(l, env));
  return { locations: appNamedBackends(named, env), passwords };
}

/**
 * Opens the app's repository over all its locations, reachable ones synced first; the
 * MirrorBackend in the result says afterwards which locations are behind.
 */
export async function openAppMirror(config: LifeboatConfig, app: string, env: Environment, opts: { sync: boolean }): Promise<OpenedMirror> {
  const { locations, passwords } = await openAppLocations(config, app, env);
  return explainWrongPassword(openMirror(locations, passwords[0]!, repoEnv(env), opts), locations.map((l) => l.name), appLocations(config, app)[0]!);
}

/**
 * A wrong password, said in the config's terms: the generic text ("check the password file or
 * LIFEBOAT_PASSWORD") points away from lifeboat.yaml, where an app's password comes from.
 */
export async function explainWrongPassword<T>(opening: Promise<T>, names: readonly string[], from: NamedLocation): Promise<T> {
  try {
    return await opening;
  } catch (e) {
    if (!isLifeboatError(e, 'REPO_WRONG_PASSWORD')) throw e;
    throw new LifeboatError('REPO_WRONG_PASSWORD', `wrong password: no key file in ${names.join(', ')} matches the password of location "${from.name}" (${passwordSource(from)}); fix that in lifeboat.yaml`, { cause: e });
  }
}

/** Where a location's password comes from, for messages (never the password). */
function passwordSource(l: NamedLocation): string {
  const loc = l.location;
  if (loc.passwordFile) return `locations.${l.name}.password_file: ${loc.passwordFile}`;
  if (loc.passwordEnv) return `locations.${l.name}.password_env: ${loc.passwordEnv}`;
  return `locations.${l.name}.password_command`;
}

/** The password of a location: its password_file, password_command or password_env. */
export async function locationPassword(l: NamedLocation, env: Environment): Promise<Uint8Array> {
  const loc = l.location;
  if (loc.passwordFile) {
    try {
      return readPasswordFile(loc.passwordFile);
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      throw new LifeboatError(e.code, `locations.${l.name}.password_file: ${e.message}`, { cause: e });
    }
  }
  if (loc.passwordEnv) {
    const v = env.env[loc.passwordEnv];
    if (v === undefined || v === '') throw new LifeboatError('REPO_NO_PASSWORD', `environment variable ${loc.passwordEnv} (password_env of location "${l.name}") is not set; set it to the repository password`);
    return new TextEncoder().encode(v);
  }
  if (loc.passwordCommand) return resolvePassword({ passwordCommand: loc.passwordCommand }, { ...env, env: {} }, `location "${l.name}"`);
  throw new LifeboatError('REPO_NO_PASSWORD', `location "${l.name}" has no password_file, password_command or password_env`);
}

/** Opens the repository of an app over all its locations (no sync: for reading). */
export async function openAppRepository(config: LifeboatConfig, app: string, env: Environment): Promise<Repository> {
  return (await openAppMirror(config, app, env, { sync: false })).repo;
}

/**
 * Creates the app's repository in every location (same master key and config), adopting the
 * first location that already holds one; `created` is false when none was made.
 */
export async function initAppRepository(config: LifeboatConfig, app: string, env: Environment): Promise<{ repo: Repository; created: boolean; locations: InitLocationsResult['locations'] }> {
  const { locations, passwords } = await openAppLocations(config, app, env);
  const r = await initLocations(locations, passwords, repoEnv(env), await kdfParamsFor(env));
  return { repo: r.repo, created: r.locations.some((l) => l.status === 'created'), locations: r.locations };
}
