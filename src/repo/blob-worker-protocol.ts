import type { Id } from '../model/index.js';
import type { CompressionMode } from './compression.js';

/**
 * Tasks for blob workers. `hash` keeps the data in the worker until the main thread, which
 * owns the index, answers `seal-held` (a new blob) or `drop` (already stored): the bytes
 * cross threads once and duplicates cost no compression.
 */
export type BlobTask =
  | { readonly op: 'seal'; readonly id: Id; readonly plain: Uint8Array; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'open'; readonly id: Id; readonly sealed: Uint8Array; readonly uncompressedLength: number }
  | { readonly op: 'hash'; readonly ticket: number; readonly plain: Uint8Array }
  | { readonly op: 'seal-held'; readonly ticket: number; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'drop'; readonly ticket: number };

export interface BlobResult {
  readonly data?: Uint8Array;
  readonly id?: Id;
  readonly uncompressedLength: number;
}
