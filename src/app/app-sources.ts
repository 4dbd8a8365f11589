import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { discoverApp } from '../apps/index.js';
import { LifeboatError } from '../errors/index.js';
import type { DatabaseSpec, FilesSpec, SecretsSpec, SourceSpec } from '../sources/index.js';
import type { AppConfig, MysqlSource, PostgresSource, SourceConfig } from './config/config-types.js';
import type { Environment } from './environment.js';
import { readPasswordFile } from './password.js';

export interface AppSources {
  readonly specs: readonly SourceSpec[];
  /** What the preset found or missed; never values. */
  readonly notes: readonly string[];
}

/**
 * The sources of an app: what its preset discovers, minus what `ignore:` drops, plus the
 * config's own sources. A database source in the config replaces every database of the
 * same engine the preset found (the config knows better); config secrets come first, so a
 * value the config names wins over the preset's find of the same name.
 */
export function resolveAppSources(name: string, app: AppConfig, env: Environment): AppSources {
  // A mistyped root would otherwise discover nothing and back up an empty, useless snapshot.
  if (app.root !== undefined) requireDirectory(name, app.root);
  const discovered = app.preset ? discoverApp(app.preset, { root: app.root, env: env.env }) : { sources: [], notes: [] };
  const ignore = app.ignore ?? [];
  const configured = app.sources.map((s) => specOf(name, s, env));
  const overridden = new Set(configured.filter((s) => s.kind === 'postgres' || s.kind === 'mysql').map((s) => s.kind));
  const kept: SourceSpec[] = [];
  for (const s of discovered.sources) {
    if (ignore.includes(s.kind) || overridden.has(s.kind)) continue;
    if (s.kind === 'files') {
      const paths = s.paths.filter((p) => !ignore.includes(p));
      if (paths.length) kept.push({ ...s, paths });
    } else if (s.kind === 'secrets') {
      kept.push({ ...s, files: s.files.filter((f) => !ignore.includes(f.path) && !ignore.includes(basename(f.path))), values: s.values.filter((v) => !ignore.includes(v.name)), known: s.known.filter((k) => !ignore.includes(k.name)) });
    } else kept.push(s);
  }
  const secretsFirst = [...configured.filter((s) => s.kind === 'secrets'), ...kept.filter((s) => s.kind === 'secrets')];
  const rest = [...kept.filter((s) => s.kind !== 'secrets'), ...configured.filter((s) => s.kind !== 'secrets')];
  return { specs: [...rest, ...secretsFirst], notes: discovered.notes };
}

function requireDirectory(app: string, root: string): void {
  let st;
  try {
    st = statSync(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new LifeboatError('SOURCE_NOT_FOUND', `apps.${app}.root: ${root} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}; fix root: in lifeboat.yaml (where the app is installed), then run "lifeboat config check"`, { cause: e });
  }
  if (!st.isDirectory()) throw new LifeboatError('SOURCE_NOT_FOUND', `apps.${app}.root: ${root} is not a directory; set root: in lifeboat.yaml to the directory the app is installed in`);
}

function specOf(app: string, s: SourceConfig, env: Environment): SourceSpec {
  const origin = `apps.${app} in the config`;
  switch (s.kind) {
    case 'files':
      return { kind: 'files', paths: s.paths, ...(s.exclude ? { exclude: s.exclude } : {}), ...(s.oneFileSystem ? { oneFileSystem: true } : {}), origin } satisfies FilesSpec;
    case 'postgres':
    case 'mysql':
      return databaseSpec(s, origin, env);
    case 'secrets':
      return {
        kind: 'secrets',
        files: (s.files ?? []).map((path) => ({ path })),
        values: (s.values ?? []).map((v) => ({ name: v.name, from: v.from, ...(v.key ? { key: v.key } : {}), ...(v.format ? { format: v.format } : {}) })),
        processEnv: (s.processEnv ?? []).map((p) => ({ ...(p.pidFile ? { pidFile: p.pidFile } : {}), ...(p.process ? { process: p.process } : {}), names: p.names })),
        known: [],
        origin,
      } satisfies SecretsSpec;
  }
}

function databaseSpec(s: PostgresSource | MysqlSource, origin: string, env: Environment): DatabaseSpec {
  let password: string | undefined;
  if (s.passwordFile) password = new TextDecoder().decode(readPasswordFile(s.passwordFile));
  else if (s.passwordEnv) {
    password = env.env[s.passwordEnv];
    if (password === undefined) throw new LifeboatError('SOURCE_AUTH_FAILED', `environment variable ${s.passwordEnv} (password_env of a ${s.kind} source of ${origin}) is not set; set it to the database password`);
  }
  return {
    kind: s.kind,
    ...(s.url ? { url: s.url } : {}),
    ...(s.host ? { host: s.host } : {}),
    ...(s.port ? { port: s.port } : {}),
    ...('socket' in s && s.socket ? { socket: s.socket } : {}),
    ...(s.user ? { user: s.user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(s.database ? { database: s.database } : {}),
    ...('globals' in s && s.globals ? { globals: true } : {}),
    origin,
  };
}
