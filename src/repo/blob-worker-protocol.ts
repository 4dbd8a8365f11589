import type { ErrorCode } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { CompressionMode } from './compression.js';

/**
 * Messages between BlobWorkerPool and its workers. `hash` keeps the data in the worker
 * until the main thread, which owns the index, answers `seal-held` (new blob) or `drop`
 * (already stored): the bytes cross threads once and duplicates cost no compression.
 */
export type BlobTask =
  | { readonly op: 'seal'; readonly seq: number; readonly id: Id; readonly plain: Uint8Array; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'open'; readonly seq: number; readonly id: Id; readonly sealed: Uint8Array; readonly uncompressedLength: number }
  | { readonly op: 'hash'; readonly seq: number; readonly plain: Uint8Array }
  | { readonly op: 'seal-held'; readonly seq: number; readonly held: number; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'drop'; readonly seq: number; readonly held: number };

export type BlobReply =
  | { readonly seq: number; readonly ok: true; readonly data?: Uint8Array; readonly id?: Id; readonly uncompressedLength: number }
  | { readonly seq: number; readonly ok: false; readonly error: { code: ErrorCode; message: string; data: Record<string, unknown> } };
