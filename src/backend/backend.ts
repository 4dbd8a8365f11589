import type { FileType, Handle } from '../model/index.js';

export interface FileInfo {
  /** The handle's name: a 64-hex ID, or `''` for the config file. */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
}

/** A byte range of a file: `length` bytes starting at `offset`. Both are non-negative integers. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/**
 * Opaque storage of immutable files, addressed by type and name. Every backend
 * (mem, local, sftp, s3) passes the shared contract suite in `backend.contract.ts`.
 *
 * Contract:
 * - Names: `config` has the name `''`; every other type needs a 64-digit lower-case hex ID.
 *   Any other handle (or an unknown type) fails with `INVALID_ARGUMENT` before anything is
 *   touched, so a name can never escape the repository (`../`).
 * - `save` is atomic: a reader sees either no file or the whole file, never a part of it.
 *   Saving a name that already exists overwrites it (files are content-addressed, so the
 *   bytes are the same in practice). `save` does not keep a reference to `data`.
 * - `load` is idempotent and returns bytes the caller owns; with a range it returns exactly
 *   that range, or fails with `INVALID_DATA` when the range reaches past the end of the file
 *   (a zero-length range at the end is fine). A negative or non-integer range fails with
 *   `INVALID_ARGUMENT`.
 * - A missing file makes `load`, `stat` and `remove` fail with `BACKEND_NOT_FOUND`.
 * - `list` yields each complete file of the type once, in no particular order, and nothing
 *   else: unfinished temporary files and foreign names never. For `config` it yields
 *   `{ name: '', size }` when the config exists. Files saved or removed while a listing runs
 *   may or may not appear. Every listed file can be loaded under the listed name.
 * - Other failures use `BACKEND_PERMISSION_DENIED`, `BACKEND_NO_SPACE` (both permanent) or
 *   `BACKEND_IO` (retryable: the same call may succeed later).
 */
export interface Backend {
  /** Where this backend points, printable: never contains a credential. */
  readonly location: string;
  save(h: Handle, data: Uint8Array): Promise<void>;
  /**
   * Optional: stores the local file at `path` as `h`, with `save`'s guarantees, leaving `path`
   * in place (so a retry can repeat it). Lets a pack written to a temp file reach a local
   * repository without being read back into memory. Callers fall back to `save`.
   */
  saveFile?(h: Handle, path: string): Promise<void>;
  /** The bytes are the caller's own (a fresh buffer): readers transfer them to workers and decrypt inside them. */
  load(h: Handle, range?: ByteRange): Promise<Uint8Array>;
  /**
   * Optional: the path of the local file that holds `h`, for a worker thread that reads it
   * itself (with no bytes passing through the main thread). Whoever reads it must treat a
   * missing or unreadable file as `load` would fail; callers that get no path use `load`.
   */
  localFile?(h: Handle): string;
  stat(h: Handle): Promise<FileInfo>;
  list(type: FileType): AsyncIterable<FileInfo>;
  remove(h: Handle): Promise<void>;
  /**
   * Creates what the backend needs to hold a repository (the folder). Idempotent while the
   * location holds no config; fails with `BACKEND_ALREADY_EXISTS` once a config is there, so
   * `init` can never overwrite an existing repository.
   */
  create(): Promise<void>;
  /** Releases connections. Idempotent; no other call may follow it. */
  close(): Promise<void>;
}
