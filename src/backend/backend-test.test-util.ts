// Helpers shared by the backend test files.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isLifeboatError, type ErrorCode } from '../errors/index.js';
import { hashId, type Handle } from '../model/index.js';

/** Asserts that `p` rejects with a LifeboatError of `code` (and a message matching `pattern`). */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isLifeboatError(e), `expected LifeboatError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

/** A random file of `type`, named by its hash as the repository names files. */
export function file(type: Handle['type'], size = 100): { h: Handle; data: Uint8Array } {
  const data = new Uint8Array(randomBytes(size));
  return { h: { type, name: hashId(data) }, data };
}
