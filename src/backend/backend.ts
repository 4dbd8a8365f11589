import type { FileType, Handle } from '../model/index.js';

export interface FileInfo {
  readonly name: string;
  readonly size: number;
}

/**
 * Opaque storage of immutable files, addressed by type and name. Every backend
 * (mem, local, sftp, s3) passes the shared contract suite in `backend.contract.ts`.
 *
 * Contract:
 * - `save` is atomic: a reader sees either no file or the whole file, never a part of it.
 *   Saving a name that already exists overwrites it (files are content-addressed, so the
 *   bytes are the same in practice).
 * - `load` is idempotent; with `offset`/`length` it returns exactly that range, or fails
 *   with `INVALID_DATA` when the range lies past the end of the file.
 * - A missing file makes `load`, `stat` and `remove` fail with `BACKEND_NOT_FOUND`.
 * - `list` yields each complete file of the type once; unfinished temporary files never.
 */
export interface Backend {
  /** Where this backend points, printable: never contains a credential. */
  readonly location: string;
  save(h: Handle, data: Uint8Array): Promise<void>;
  load(h: Handle, range?: { offset: number; length: number }): Promise<Uint8Array>;
  stat(h: Handle): Promise<FileInfo>;
  list(type: FileType): AsyncIterable<FileInfo>;
  remove(h: Handle): Promise<void>;
  /** Creates what the backend needs to hold a repository (the folder). */
  create(): Promise<void>;
  close(): Promise<void>;
}
