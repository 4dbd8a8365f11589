import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../errors/index.js';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * S3 credentials, in this order: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (and
 * `AWS_SESSION_TOKEN`); the same names with `_FILE` holding a file path (for secrets mounted
 * as files); the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
 * `~/.aws/credentials`), profile `AWS_PROFILE` or `default`.
 */
export function awsCredentials(env: Readonly<Record<string, string | undefined>>): AwsCredentials {
  const fromFile = (name: string): string | undefined => {
    const path = env[`${name}_FILE`];
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8').split(/\r?\n/)[0]!.trim();
    } catch (e) {
      throw new LifeboatError('INVALID_ARGUMENT', `cannot read ${name}_FILE ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; check the path`);
    }
  };
  const id = env['AWS_ACCESS_KEY_ID'] || fromFile('AWS_ACCESS_KEY_ID');
  const secret = env['AWS_SECRET_ACCESS_KEY'] || fromFile('AWS_SECRET_ACCESS_KEY');
  const token = env['AWS_SESSION_TOKEN'] || fromFile('AWS_SESSION_TOKEN');
  if (id && secret) return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  const profile = env['AWS_PROFILE'] || 'default';
  const file = env['AWS_SHARED_CREDENTIALS_FILE'] || join(env['HOME'] ?? '/root', '.aws', 'credentials');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // No file: fall through to the message below.
  }
  const section = parseIni(text)[profile];
  const fid = section?.['aws_access_key_id'];
  const fsecret = section?.['aws_secret_access_key'];
  if (fid && fsecret) return { accessKeyId: fid, secretAccessKey: fsecret, ...(section['aws_session_token'] ? { sessionToken: section['aws_session_token'] } : {}) };
  throw new LifeboatError('INVALID_ARGUMENT', `no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or their _FILE variants), or add profile "${profile}" to ${file}`);
}

/** The INI subset of AWS credentials files: `[profile]` sections of `key = value` lines. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = Object.create(null);
  let cur: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (sec) {
      cur = out[sec[1]!] ??= Object.create(null);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && cur) cur[kv[1]!.toLowerCase()] = kv[2]!;
  }
  return out;
}
