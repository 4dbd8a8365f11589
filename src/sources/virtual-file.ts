/**
 * A file of a snapshot that does not exist on disk: a database dump, its metadata, a secret.
 * `open` is called once, when the archiver reaches the file; the bytes are chunked as they
 * arrive. A stream that throws makes the whole backup fail (no snapshot is saved).
 */
export interface VirtualFile {
  /** Absolute path inside the snapshot, like `/databases/postgres/shop.pgdump`. */
  readonly path: string;
  /** Permission bits; secrets and dumps default to 0600. */
  readonly mode?: number;
  open(): AsyncIterable<Uint8Array>;
}

export function bytesFile(path: string, bytes: Uint8Array, mode = 0o600): VirtualFile {
  return {
    path,
    mode,
    async *open() {
      if (bytes.length > 0) yield bytes;
    },
  };
}

/** A file whose content is known only later (metadata gathered while a dump runs). */
export function lazyFile(path: string, content: () => Promise<Uint8Array>, mode = 0o600): VirtualFile {
  return {
    path,
    mode,
    async *open() {
      const bytes = await content();
      if (bytes.length > 0) yield bytes;
    },
  };
}

export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

/** A database name usable as a file name in the snapshot. */
export function safeFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\0]/.test(name);
}
