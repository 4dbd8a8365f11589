import { LifeboatError } from '../errors/index.js';
import type { Handle } from '../model/index.js';
import type { ByteRange } from './backend.js';
import { displayPath } from './layout.js';

/**
 * Checks a range's shape and, when the file size is known, that it lies within the file.
 * Shared by every backend so that they all fail the same way: a malformed range is the
 * caller's bug (`INVALID_ARGUMENT`); a range past the end means the index that pointed there
 * does not match the file (`INVALID_DATA`).
 */
export function checkRange(h: Handle, range: ByteRange, size?: number): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid byte range offset=${offset} length=${length} for ${displayPath(h)}: both must be non-negative integers`);
  }
  if (size !== undefined && offset + length > size) {
    throw new LifeboatError(
      'INVALID_DATA',
      `cannot read bytes ${offset}..${offset + length} of ${displayPath(h)}: the file has only ${size} bytes; the index that points there may be damaged, run a check of the repository`,
      { data: { type: h.type, name: h.name, offset, length, size } },
    );
  }
}
