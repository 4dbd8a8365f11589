import type { ErrorCode } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { CompressionMode } from './compression.js';

/** Messages between BlobWorkerPool and its workers. */
export type BlobTask =
  | { readonly op: 'seal'; readonly seq: number; readonly id: Id; readonly plain: Uint8Array; readonly mode: CompressionMode; readonly isTree: boolean }
  | { readonly op: 'open'; readonly seq: number; readonly id: Id; readonly sealed: Uint8Array; readonly uncompressedLength: number };

export type BlobReply =
  | { readonly seq: number; readonly ok: true; readonly data: Uint8Array; readonly uncompressedLength: number }
  | { readonly seq: number; readonly ok: false; readonly error: { code: ErrorCode; message: string; data: Record<string, unknown> } };
