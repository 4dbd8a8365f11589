import type { ProbeSpec } from '../../apps/probes/index.js';
/**
 * The validated, typed form of `lifeboat.yaml`. Field names are the YAML ones in camelCase.
 * Paths are absolute: relative ones are resolved (see README.md) while loading.
 */
export const PRESETS = ['decidim', 'mautic', 'rails', 'laravel', 'nextcloud', 'generic'] as const;
export type Preset = (typeof PRESETS)[number];

export const KEEP_FIELDS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type KeepPolicy = { readonly [K in (typeof KEEP_FIELDS)[number]]?: number };

export interface GuardConfig {
  readonly maxAgeHours?: number;
  readonly minLocations?: number;
  readonly drillMaxAgeDays?: number;
}

export const SECRET_FORMATS = ['env', 'php', 'yaml'] as const;
export type SecretFormat = (typeof SECRET_FORMATS)[number];

export interface LifeboatConfig {
  readonly stateDir?: string;
  readonly locations: Readonly<Record<string, LocationConfig>>;
  readonly apps: Readonly<Record<string, AppConfig>>;
}

/** A repository an app goes to. Exactly one of the password fields is set. */
export interface LocationConfig {
  /** A location URL as restic writes it: a local path, `sftp:...` or `s3:...`. */
  readonly url: string;
  readonly passwordFile?: string;
  readonly passwordCommand?: string;
  /** The name of the environment variable holding the password (not the password). */
  readonly passwordEnv?: string;
}

export interface AppConfig {
  readonly preset?: Preset;
  readonly root?: string;
  /** What the config adds to (or overrides in) the preset's discovery; empty when none. */
  readonly sources: readonly SourceConfig[];
  /** Names of entries of `locations`; at least one. */
  readonly locations: readonly string[];
  /** What the preset must not back up: kinds (postgres, mysql, files, secrets), paths (with a slash) or secret names. */
  readonly ignore?: readonly string[];
  readonly schedule?: string;
  readonly keep?: KeepPolicy;
  /** Thresholds of `lifeboat guard` (defaults: 24 h, 2 locations, 7 days). */
  readonly guard?: GuardConfig;
  /** Key probes declared in the config, on top of the preset's. */
  readonly probes?: readonly ProbeSpec[];
}

export type SourceConfig = FilesSource | PostgresSource | MysqlSource | SecretsSource;

export interface FilesSource {
  readonly kind: 'files';
  readonly paths: readonly string[];
  /** Patterns, kept as written. */
  readonly exclude?: readonly string[];
  readonly oneFileSystem?: boolean;
}

/** Either `url`, or `host` and `database` (with optional port and user). */
export interface PostgresSource {
  readonly kind: 'postgres';
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** A database name, or 'all'. */
  readonly database?: string;
  readonly passwordFile?: string;
  readonly passwordEnv?: string;
  /** Also dump roles and tablespaces (pg_dumpall --globals-only). */
  readonly globals?: boolean;
}

export interface MysqlSource {
  readonly kind: 'mysql';
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  /** The server's Unix socket (MariaDB's root logs in through it without a password). */
  readonly socket?: string;
  readonly user?: string;
  readonly database?: string;
  readonly passwordFile?: string;
  readonly passwordEnv?: string;
}

export interface SecretsSource {
  readonly kind: 'secrets';
  readonly files?: readonly string[];
  readonly values?: readonly SecretValue[];
  readonly processEnv?: readonly ProcessEnvSecret[];
}

/** One named value read out of a file: KEY of a .env, a key of a PHP array, a YAML path. */
export interface SecretValue {
  readonly name: string;
  readonly from: string;
  readonly key?: string;
  readonly format?: SecretFormat;
}

/** Environment variables of a running process (/proc/PID/environ); exactly one of pidFile, process. */
export interface ProcessEnvSecret {
  readonly pidFile?: string;
  readonly process?: string;
  readonly names: readonly string[];
}

/** One mistake in a configuration file, with where it is. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The field, like `apps.portal.sources[0].postgres.url`; '' for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

export function formatConfigProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
}
