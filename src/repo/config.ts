import { randomBytes } from 'node:crypto';
import { LifeboatError } from '../errors/index.js';
import { expectRecord, expectString, expectUint, parseJsonBytes } from './json-parse.js';
import { formatPolynomial, parsePolynomial, randomPolynomial } from './polynomial.js';

/** The repository's `config` file: raw JSON even in v2 (restic rejects a compressed config). */
export interface RepoConfig {
  readonly version: 1 | 2;
  /** 32 random bytes as hex; names restic's cache directory. */
  readonly id: string;
  readonly chunkerPolynomial: bigint;
}

export function newRepoConfig(): RepoConfig {
  return { version: 2, id: randomBytes(32).toString('hex'), chunkerPolynomial: randomPolynomial() };
}

export function encodeRepoConfig(c: RepoConfig): Uint8Array {
  const json = `{"version":${c.version},"id":"${c.id}","chunker_polynomial":"${formatPolynomial(c.chunkerPolynomial)}"}`;
  return new TextEncoder().encode(json);
}

export function decodeRepoConfig(bytes: Uint8Array): RepoConfig {
  const o = expectRecord(parseJsonBytes(bytes, 'config'), 'config');
  const version = expectUint(o['version'], 'config.version');
  if (version !== 1 && version !== 2) {
    throw new LifeboatError('REPO_UNSUPPORTED', `repository version ${version} is not supported (Lifeboat reads versions 1 and 2)`);
  }
  const id = expectString(o['id'], 'config.id');
  const chunkerPolynomial = parsePolynomial(expectString(o['chunker_polynomial'], 'config.chunker_polynomial'));
  return { version, id, chunkerPolynomial };
}
