import { randomFillSync } from 'node:crypto';
import { LifeboatError, isLifeboatError } from '../errors/index.js';
import { CIPHER_OVERHEAD, open, seal } from './authenticated-cipher.js';
import { goJsonString } from '../model/index.js';
import { SCRYPT_SALT_BYTES, deriveUserKey, validateScryptParams, type ScryptParams } from './kdf.js';
import { decodeMasterKeyJson, encodeMasterKeyJson, type MasterKey } from './master-key.js';
import { decodeStdBase64, encodeStdBase64 } from './std-base64.js';

/** A parsed key file (`keys/<id>`): plain JSON whose `data` is the master key sealed with a user key. */
export interface KeyFileInfo {
  /** RFC 3339 time, kept verbatim (restic writes Go's RFC3339Nano with the local offset). */
  readonly created: string;
  readonly username: string;
  readonly hostname: string;
  readonly kdf: 'scrypt';
  readonly params: ScryptParams;
  /** 64 bytes. */
  readonly salt: Uint8Array;
  /** IV || ciphertext || MAC of the master key JSON under the password-derived key. */
  readonly data: Uint8Array;
}

export interface CreateKeyFileOptions {
  /** Raw password bytes (UTF-8 of what the user typed; restic does not normalise). */
  readonly password: Uint8Array;
  readonly masterKey: MasterKey;
  readonly params: ScryptParams;
  /** RFC 3339 time from the caller's clock, e.g. "2026-11-24T15:51:34.134311984Z". */
  readonly created: string;
  readonly username: string;
  readonly hostname: string;
}

// Go's time.Time accepts RFC 3339 with any number of fraction digits and Z or a numeric offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
// What Go writes for a missing time; restic would load such a key file.
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The key file bytes for `info`, exactly as restic writes them: one line, no trailing newline,
 * fields in Go's order, strings escaped as Go does, []byte as padded base64.
 */
export function encodeKeyFile(info: KeyFileInfo): Uint8Array {
  if (!RFC3339.test(info.created)) throw new LifeboatError('INVALID_ARGUMENT', `key file creation time "${info.created}" is not RFC 3339`);
  if (typeof info.username !== 'string' || typeof info.hostname !== 'string') {
    throw new LifeboatError('INVALID_ARGUMENT', 'key file username and hostname must be strings');
  }
  if (info.kdf !== 'scrypt') throw new LifeboatError('INVALID_ARGUMENT', 'key files only support kdf "scrypt"');
  validateScryptParams(info.params, info.salt);
  if (info.data.length < CIPHER_OVERHEAD) throw new LifeboatError('INVALID_ARGUMENT', 'key file data is too short to be sealed');
  const { N, r, p } = info.params;
  const json =
    `{"created":${goJsonString(info.created)},"username":${goJsonString(info.username)},` +
    `"hostname":${goJsonString(info.hostname)},"kdf":"scrypt","N":${N},"r":${r},"p":${p},` +
    `"salt":"${encodeStdBase64(info.salt)}","data":"${encodeStdBase64(info.data)}"}`;
  return new TextEncoder().encode(json);
}

function invalid(message: string, cause?: unknown): LifeboatError {
  return new LifeboatError('INVALID_DATA', `key file: ${message}`, cause === undefined ? {} : { cause });
}

function optionalString(doc: Record<string, unknown>, name: string, fallback: string): string {
  const v = doc[name];
  if (v === undefined || v === null) return fallback; // Go leaves the zero value
  if (typeof v !== 'string') throw invalid(`"${name}" must be a string`);
  return v;
}

function integer(doc: Record<string, unknown>, name: string): number {
  const v = doc[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`"${name}" must be an integer`);
  return v;
}

/** Parses and validates a key file; every problem is a LifeboatError INVALID_DATA. */
export function parseKeyFile(bytes: Uint8Array): KeyFileInfo {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw invalid('not valid JSON (truncated or damaged)', e);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('not a JSON object');
  const d = doc as Record<string, unknown>;
  const created = optionalString(d, 'created', GO_ZERO_TIME);
  if (!RFC3339.test(created)) throw invalid('"created" is not an RFC 3339 time');
  if (d['kdf'] !== 'scrypt') throw invalid(`unsupported kdf ${JSON.stringify(d['kdf'] ?? null).slice(0, 40)}, expected "scrypt"`);
  const params: ScryptParams = { N: integer(d, 'N'), r: integer(d, 'r'), p: integer(d, 'p') };
  const salt = decodeStdBase64(d['salt'], 'key file salt');
  const data = decodeStdBase64(d['data'], 'key file data');
  try {
    validateScryptParams(params, salt);
  } catch (e) {
    if (isLifeboatError(e, 'INVALID_ARGUMENT')) throw invalid(e.message, e);
    throw e;
  }
  if (data.length < CIPHER_OVERHEAD) throw invalid(`"data" is ${data.length} bytes, too short to hold a sealed key`);
  return {
    created,
    username: optionalString(d, 'username', ''),
    hostname: optionalString(d, 'hostname', ''),
    kdf: 'scrypt',
    params,
    salt,
    data,
  };
}

function wipe(k: MasterKey): void {
  k.encrypt.fill(0);
  k.macK.fill(0);
  k.macR.fill(0);
}

function checkPassword(password: unknown): asserts password is Uint8Array {
  if (!(password instanceof Uint8Array)) throw new LifeboatError('INVALID_ARGUMENT', 'password must be given as bytes (UTF-8)');
}

/**
 * A new key file wrapping `masterKey` under `password`, with a fresh 64-byte salt. The caller
 * stores it as `keys/<sha256 of the returned bytes>`.
 */
export async function createKeyFile(opts: CreateKeyFileOptions): Promise<Uint8Array> {
  checkPassword(opts.password);
  if (!RFC3339.test(opts.created)) throw new LifeboatError('INVALID_ARGUMENT', `key file creation time "${opts.created}" is not RFC 3339`);
  const plaintext = encodeMasterKeyJson(opts.masterKey);
  const salt = randomFillSync(new Uint8Array(SCRYPT_SALT_BYTES));
  const userKey = await deriveUserKey(opts.password, salt, opts.params);
  try {
    const data = seal(userKey, plaintext);
    return encodeKeyFile({ ...opts, kdf: 'scrypt', salt, data });
  } finally {
    plaintext.fill(0);
    wipe(userKey);
  }
}

/**
 * Unlocks a key file: the master key, or CIPHERTEXT_VERIFICATION_FAILED when the password is wrong
 * (or `data` was damaged; the two cannot be told apart), or INVALID_DATA for a malformed file.
 */
export async function openKeyFile(bytes: Uint8Array, password: Uint8Array): Promise<MasterKey> {
  checkPassword(password);
  const info = parseKeyFile(bytes);
  let userKey: MasterKey;
  try {
    userKey = await deriveUserKey(password, info.salt, info.params);
  } catch (e) {
    // Parameters this machine will not run (too much memory, or rejected by OpenSSL) are a
    // property of the file, so report them as such.
    if (isLifeboatError(e, 'INVALID_ARGUMENT')) throw invalid(e.message, e);
    throw e;
  }
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = open(userKey, info.data);
  } catch (e) {
    if (!isLifeboatError(e, 'CIPHERTEXT_VERIFICATION_FAILED')) throw e;
    throw new LifeboatError('CIPHERTEXT_VERIFICATION_FAILED', 'key file does not open with this password (wrong password, or the file is damaged)', { cause: e });
  } finally {
    wipe(userKey);
  }
  try {
    return decodeMasterKeyJson(plaintext);
  } finally {
    plaintext.fill(0);
  }
}
