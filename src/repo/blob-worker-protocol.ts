import type { Id } from '../model/index.js';
import type { CompressionMode } from './compression.js';
import type { SpilledPack } from './pack-spill.js';

/** A file for a worker to read: its path (bytes, as names need not be UTF-8) and lstat size. */
export interface FileToRead {
  readonly path: Uint8Array;
  readonly size: number;
  /**
   * The file is in the parent snapshot and changed since: most of its chunks are likely stored
   * already, so reading it is mostly hashing (see RepoWriter's splitFilesFrom).
   */
  readonly changed?: boolean;
  /**
   * Read from this offset on, where a chunk of the parent snapshot's content ended (and was
   * found unchanged): the chunker starts afresh there, as it did then. `size` is what is left.
   */
  readonly from?: number;
}

/**
 * Tasks for blob workers. `hash` keeps the data in the worker until the main thread, which
 * owns the index, answers `seal-held` (a new blob) or `drop` (already stored): the bytes
 * cross threads once and duplicates cost no compression. `read` goes further: the worker
 * reads and chunks the files itself, reports each chunk as a `ChunkEvent`, holds the bytes,
 * and `decide` then seals or drops them in batches; only sealed blobs ever cross threads.
 */
export type BlobTask =
  | { readonly op: 'seal'; readonly id: Id; readonly plain: Uint8Array; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'open'; readonly id: Id; readonly sealed: Uint8Array; readonly uncompressedLength: number }
  | { readonly op: 'hash'; readonly ticket: number; readonly plain: Uint8Array }
  | { readonly op: 'seal-held'; readonly ticket: number; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'drop'; readonly ticket: number }
  | { readonly op: 'read'; readonly files: readonly FileToRead[]; readonly polynomial: bigint; readonly splitFrom?: number }
  | { readonly op: 'hash-range'; readonly path: Uint8Array; readonly start: number; readonly length: number }
  | { readonly op: 'ranges-done'; readonly bytes: number }
  | { readonly op: 'hash-ranges'; readonly path: Uint8Array; readonly ranges: readonly { readonly start: number; readonly length: number }[] }
  | { readonly op: 'decide'; readonly seal: readonly number[]; readonly drop: readonly number[]; readonly mode: CompressionMode; readonly pack?: PackTarget }
  | { readonly op: 'finish-pack' }
  | { readonly op: 'discard-pack' };

/**
 * Where a worker builds data packs of its own, in a temp file: with it, `decide` seals new
 * chunks straight into that pack and answers with the packs it filled, so no blob's bytes
 * cross threads at all; the main thread stores the finished packs.
 */
export interface PackTarget {
  /** Directory for the temp files (restic uses $TMPDIR too). */
  readonly dir: string;
  /** A pack is finished after the blob that takes it to this size. */
  readonly size: number;
}

/** One chunk read by a `read` task, held in the worker under `ticket`. */
export interface ReadChunk {
  /** Index of the file in the task. */
  readonly file: number;
  readonly ticket: number;
  readonly id: Id;
  readonly length: number;
}

/**
 * A chunk of a file of at least `splitFrom` bytes, found by a `read` task that only scans
 * such files for cut points: any worker then reads and hashes it (`hash-range`), so one
 * large file keeps every core busy, as restic hands a file's chunks to all its hashers.
 */
export interface RangeChunk {
  readonly file: number;
  readonly start: number;
  readonly length: number;
}

/**
 * Emitted by `read` tasks, in file and chunk order. The scanning worker pauses while more
 * than its scan-ahead budget of its ranges are not yet decided: the main thread returns
 * the bytes with `ranges-done` once each range's chunk is sealed or dropped.
 */
export interface ChunkEvent {
  readonly chunks: readonly ReadChunk[];
  readonly ranges?: readonly RangeChunk[];
}

/** How reading one file of a `read` task ended: bytes read, or why it could not be read. */
export type FileReadOutcome = { readonly bytes: number } | { readonly error: { readonly code: string; readonly message: string } };

export interface SealedHeld {
  readonly ticket: number;
  readonly id: Id;
  readonly sealed: Uint8Array;
  readonly uncompressedLength: number;
}

export interface BlobResult {
  readonly data?: Uint8Array;
  readonly id?: Id;
  /** `hash-range`: the ticket the chunk is held under, and its length (shorter if the file shrank). */
  readonly ticket?: number;
  readonly length?: number;
  readonly uncompressedLength: number;
  /** `hash-ranges`: the ID of each range, in order, up to the first the file no longer holds whole. */
  readonly ids?: readonly Id[];
  /** `read`: one outcome per file. */
  readonly files?: readonly FileReadOutcome[];
  /** `decide` without a pack target: the blobs sealed, in the order asked. */
  readonly sealed?: readonly SealedHeld[];
  /** `decide` with a pack target, `finish-pack`: the worker's packs finished by this task. */
  readonly packs?: readonly SpilledPack[];
}
