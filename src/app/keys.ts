import { parseKeyFile } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { Repository } from '../repo/index.js';
import type { Environment } from './environment.js';
import { kdfParamsFor } from './repo-access.js';

export interface KeyListing {
  readonly id: Id;
  readonly current: boolean;
  readonly username: string;
  readonly hostname: string;
  readonly created: string;
}

export async function listKeys(repo: Repository): Promise<KeyListing[]> {
  const out: KeyListing[] = [];
  for (const id of await repo.listIds('key')) {
    const info = parseKeyFile(await repo.backend.load({ type: 'key', name: id }));
    out.push({ id, current: id === repo.keyId, username: info.username, hostname: info.hostname, created: info.created });
  }
  return out;
}

export async function addKey(repo: Repository, newPassword: Uint8Array, env: Environment): Promise<Id> {
  return repo.addKey(newPassword, await kdfParamsFor(env));
}

/** Removes a key file; never the one in use (that would lock the user out mid-command). */
export async function removeKey(repo: Repository, ref: string): Promise<Id> {
  const ids = (await repo.listIds('key')).filter((id) => id.startsWith(ref));
  if (ids.length === 0) throw new LifeboatError('KEY_NOT_FOUND', `no key with ID ${ref}; list them with "lifeboat key list"`);
  if (ids.length > 1) throw new LifeboatError('INVALID_ARGUMENT', `the prefix ${ref} matches ${ids.length} keys; give more digits`);
  const id = ids[0]!;
  if (id === repo.keyId) throw new LifeboatError('KEY_LAST', 'refusing to remove the key in use; open the repository with another password to remove this one');
  await repo.backend.remove({ type: 'key', name: id });
  return id;
}

/** Writes a key for the new password, then removes the old one: never a moment without a key. */
export async function changePassword(repo: Repository, newPassword: Uint8Array, env: Environment): Promise<Id> {
  const id = await addKey(repo, newPassword, env);
  await repo.backend.remove({ type: 'key', name: repo.keyId });
  return id;
}
