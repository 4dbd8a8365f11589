import { createHash } from 'node:crypto';
// Named modules, not barrels: pack-verify.ts, on the check workers, imports this file too.
import { open } from '../crypto/authenticated-cipher.js';
import { isLifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import { shortId } from '../model/id.js';
import type { Repository } from '../repo/index.js';
import { decodeUnpacked } from '../repo/unpacked-file.js';

/**
 * Check separates reading from judging: a backend failure that is not about the data
 * (BACKEND_IO, permissions) is thrown, because the check could not do its job; anything
 * wrong with the bytes themselves becomes a problem in the report.
 */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Errors of a backend load that say something about the repository rather than the backend. */
export function isDataError(e: unknown): boolean {
  // INVALID_DATA: a range reaching past the end of the file (a truncated pack).
  return isLifeboatError(e, 'BACKEND_NOT_FOUND') || isLifeboatError(e, 'INVALID_DATA');
}

/** Loads a file, turning "not found" and "range past the end" into a Checked failure. */
export async function loadChecked(
  repo: Repository,
  type: 'index' | 'snapshot' | 'data',
  id: Id,
  range?: { offset: number; length: number },
): Promise<Checked<Uint8Array>> {
  try {
    return { ok: true, value: await repo.backend.load({ type, name: id }, range) };
  } catch (e) {
    if (isDataError(e)) return { ok: false, message: isLifeboatError(e, 'BACKEND_NOT_FOUND') ? `${type} file ${shortId(id)} does not exist` : messageOf(e) };
    throw e;
  }
}

/** An index or snapshot file: its name must be its hash, and it must decrypt and decode. */
export async function loadUnpackedChecked(repo: Repository, type: 'index' | 'snapshot', id: Id): Promise<Checked<Uint8Array>> {
  const loaded = await loadChecked(repo, type, id);
  if (!loaded.ok) return loaded;
  return judge(() => {
    const actual = createHash('sha256').update(loaded.value).digest('hex');
    if (actual !== id) throw new Error(`invalid data returned: the file's content hashes to ${shortId(actual)}, not to its name`);
    return decodeUnpacked(open(repo.key, loaded.value));
  });
}

/** Runs a pure decoding step; any exception means the input is damaged. */
export function judge<T>(fn: () => T): Checked<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, message: messageOf(e) };
  }
}
