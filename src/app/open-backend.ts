import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
// Named modules, not the backend barrel (see repo-access.ts).
import type { Backend, LocationSpec, S3Options, SftpOptions } from '../backend/index.js';
import { lazyBackend } from '../backend/lazy-backend.js';
import { LocalBackend } from '../backend/local-backend.js';
import { withConcurrencyLimit } from '../backend/limit-backend.js';
import { s3LocationName, sftpLocationName } from '../backend/location-names.js';
import { parseLocationUrl } from '../backend/location-url.js';
import { withRetry } from '../backend/retry-backend.js';
import { LifeboatError } from '../errors/index.js';
import { awsCredentials } from './aws-credentials.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Turns a repository URL as restic writes it into a Backend: local paths (`/path`,
 * `local:/path`, relative to `cwd`), `sftp:` and `s3:` (see location-url.ts). Network
 * backends come wrapped in retry and a concurrency limit. Options come from the URL query
 * first, then the environment (README, "Locations"); secrets only from the environment or files.
 */
export function openBackend(url: string, cwd: string, env: Env = {}): Backend {
  const spec = parseLocationUrl(url);
  if (spec.kind === 'local') return new LocalBackend(isAbsolute(spec.path) ? spec.path : resolve(cwd, spec.path));
  const backend = spec.kind === 'sftp' ? openSftp(spec, env) : openS3(spec, env);
  const attempts = intOption(env['LIFEBOAT_RETRY_ATTEMPTS'], 6, 'LIFEBOAT_RETRY_ATTEMPTS');
  const baseDelayMs = intOption(env['LIFEBOAT_RETRY_DELAY_MS'], 500, 'LIFEBOAT_RETRY_DELAY_MS');
  return withRetry(withConcurrencyLimit(backend, spec.kind === 'sftp' ? 8 : 16), { attempts, baseDelayMs, maxDelayMs: 15_000 });
}

function intOption(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new LifeboatError('INVALID_ARGUMENT', `${name} must be a whole number, not "${v}"`);
  return Math.max(1, n);
}

function flag(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v);
}

function readSecretFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LifeboatError('INVALID_ARGUMENT', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; check the path and its permissions`);
  }
}

function openSftp(spec: Extract<LocationSpec, { kind: 'sftp' }>, env: Env): Backend {
  const q = spec.query;
  const home = env['HOME'] ?? '/root';
  const port = q['port'] ?? (spec.port !== undefined ? String(spec.port) : undefined) ?? env['LIFEBOAT_SFTP_PORT'];
  const identity = q['identity'] ?? env['LIFEBOAT_SFTP_IDENTITY'] ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(home, '.ssh', n)).find((p) => existsSync(p));
  const passwordFile = env['LIFEBOAT_SFTP_PASSWORD_FILE'];
  const password = spec.password ?? (passwordFile ? readSecretFile(passwordFile, 'the sftp password file').toString('utf8').split(/\r?\n/)[0] : env['LIFEBOAT_SFTP_PASSWORD']);
  const passphrase = env['LIFEBOAT_SFTP_KEY_PASSPHRASE'];
  const user = spec.user ?? env['USER'] ?? 'root';
  if (!identity && !password) {
    throw new LifeboatError('INVALID_ARGUMENT', `no ssh identity for ${user}@${spec.host}: set LIFEBOAT_SFTP_IDENTITY to a private key file (or LIFEBOAT_SFTP_PASSWORD_FILE)`);
  }
  const opts: SftpOptions = {
    host: spec.host,
    ...(port ? { port: intOption(port, 22, 'the sftp port') } : {}),
    username: user,
    path: spec.path,
    ...(identity ? { privateKey: readSecretFile(identity, 'the ssh identity file') } : {}),
    ...(passphrase ? { passphrase } : {}),
    ...(password ? { password } : {}),
    knownHostsFile: q['known-hosts'] ?? env['LIFEBOAT_SFTP_KNOWN_HOSTS'] ?? join(home, '.ssh', 'known_hosts'),
    acceptNewHostKey: flag(q['accept-new-host-key'] ?? env['LIFEBOAT_SFTP_ACCEPT_NEW_HOST_KEY']),
  };
  // ssh2 is loaded only when the location is first used (a local backup never loads it).
  return lazyBackend(sftpLocationName(opts), async () => new (await import('../backend/sftp-backend.js')).SftpBackend(opts));
}

function openS3(spec: Extract<LocationSpec, { kind: 's3' }>, env: Env): Backend {
  const q = spec.query;
  const creds = awsCredentials(env);
  const region = q['region'] ?? env['LIFEBOAT_S3_REGION'] ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  const storageClass = q['storage-class'] ?? env['LIFEBOAT_S3_STORAGE_CLASS'];
  const caFile = q['cacert'] ?? env['LIFEBOAT_S3_CACERT'];
  const partMiB = q['part-size'] ?? env['LIFEBOAT_S3_PART_SIZE'];
  const opts: S3Options = {
    endpoint: spec.endpoint,
    bucket: spec.bucket,
    prefix: spec.prefix,
    ...(region ? { region } : {}),
    ...(storageClass ? { storageClass } : {}),
    ...creds,
    ...(caFile ? { ca: readSecretFile(caFile, 'the CA certificate file') } : {}),
    ...(partMiB ? { partSize: intOption(partMiB, 16, 'the S3 part size (MiB)') * 1024 * 1024 } : {}),
  };
  // The AWS SDK is loaded only when the location is first used.
  return lazyBackend(s3LocationName(opts), async () => new (await import('../backend/s3-backend.js')).S3Backend(opts));
}
