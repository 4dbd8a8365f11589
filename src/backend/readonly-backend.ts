import { LifeboatError } from '../errors/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { displayPath } from './layout.js';

/**
 * Wraps a backend so that nothing can change it: save, remove and create fail with
 * `BACKEND_PERMISSION_DENIED` before reaching it. Verification, restore drills and the
 * dashboard open repositories this way, so that a bug there can never damage a backup.
 */
export function readOnly(b: Backend): Backend {
  const denied = (verb: string, what: string): LifeboatError =>
    new LifeboatError(
      'BACKEND_PERMISSION_DENIED',
      `cannot ${verb} ${what} at ${b.location}: the repository is opened read-only here; run a command that writes to the repository to change it`,
      { data: { op: verb, location: b.location } },
    );
  return {
    location: b.location,
    save: async (h: Handle, _data: Uint8Array) => {
      throw denied('write', displayPath(h));
    },
    remove: async (h: Handle) => {
      throw denied('remove', displayPath(h));
    },
    create: async () => {
      throw denied('create', 'a repository');
    },
    load: (h: Handle, range?: ByteRange) => b.load(h, range),
    stat: (h: Handle) => b.stat(h),
    list: (type: FileType): AsyncIterable<FileInfo> => b.list(type),
    close: () => b.close(),
  };
}
