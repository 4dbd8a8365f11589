import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';

/**
 * A Backend whose implementation is built on first use. The S3 and SFTP backends pull in
 * the AWS SDK and ssh2 (about 350 ms of module loading); behind this wrapper a command that
 * never touches such a location never loads them. A failed build is retried on the next call.
 */
export function lazyBackend(location: string, build: () => Promise<Backend>): Backend {
  let inner: Promise<Backend> | undefined;
  const get = (): Promise<Backend> => {
    inner ??= build().catch((e: unknown) => {
      inner = undefined;
      throw e;
    });
    return inner;
  };
  return {
    location,
    save: async (h: Handle, data: Uint8Array) => (await get()).save(h, data),
    load: async (h: Handle, range?: ByteRange) => (await get()).load(h, range),
    stat: async (h: Handle) => (await get()).stat(h),
    list: (type: FileType): AsyncIterable<FileInfo> => ({
      async *[Symbol.asyncIterator]() {
        yield* (await get()).list(type);
      },
    }),
    remove: async (h: Handle) => (await get()).remove(h),
    create: async () => (await get()).create(),
    // Nothing to close when nothing was opened.
    close: async () => (inner === undefined ? undefined : (await inner).close()),
  };
}
