/**
 * What a source is asked to back up, after the configuration and a preset's discovery
 * were merged by app/. Passwords are values here (resolved from password_file or the
 * environment by app/); they never reach argv, logs or messages.
 */
export type SourceSpec = FilesSpec | DatabaseSpec | SecretsSpec;

export interface FilesSpec {
  readonly kind: 'files';
  readonly paths: readonly string[];
  readonly exclude?: readonly string[];
  readonly oneFileSystem?: boolean;
  /** Where this came from (`config`, `preset decidim`), for messages. */
  readonly origin: string;
}

export type DatabaseEngine = 'postgres' | 'mysql';

/** How to reach a database server. Either `url`, or host/port/socket/user. */
export interface DbConnection {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  /** MySQL/MariaDB only: the server's Unix socket. */
  readonly socket?: string;
  readonly user?: string;
  readonly password?: string;
}

export interface DatabaseSpec extends DbConnection {
  readonly kind: DatabaseEngine;
  /** A database name or `all`; when absent, the database of `url`. */
  readonly database?: string;
  /** PostgreSQL: also dump roles and tablespaces (pg_dumpall --globals-only). */
  readonly globals?: boolean;
  readonly origin: string;
}

export interface SecretsSpec {
  readonly kind: 'secrets';
  /** Whole files, stored under /secrets/files/. Optional ones are skipped when absent. */
  readonly files: readonly { readonly path: string; readonly optional?: boolean }[];
  /** Named values read out of files, stored under /secrets/values/NAME. */
  readonly values: readonly SecretValueSpec[];
  /** Environment variables of a running process. */
  readonly processEnv: readonly ProcessEnvSpec[];
  /** Values already known (Lifeboat's own environment, a preset's find), with where they were found. */
  readonly known: readonly { readonly name: string; readonly value: string; readonly source: string }[];
  readonly origin: string;
}

export type SecretFormat = 'env' | 'php' | 'yaml';

export interface SecretValueSpec {
  readonly name: string;
  readonly from: string;
  /** The key in the file: KEY of a .env, a PHP array key, a YAML path `a.b.c`; default `name`. */
  readonly key?: string;
  /** Guessed from the file name when absent (.php, .yml/.yaml, else env). */
  readonly format?: SecretFormat;
  readonly optional?: boolean;
}

export interface ProcessEnvSpec {
  readonly pidFile?: string;
  /** A process name as in /proc/PID/comm. */
  readonly process?: string;
  readonly names: readonly string[];
  readonly optional?: boolean;
}
