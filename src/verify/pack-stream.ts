import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import type { MasterKey } from '../crypto/index.js';
// Named modules, not barrels: this runs on the check workers (see pack-verify-worker.ts).
import { open } from '../crypto/authenticated-cipher.js';
import { FileRangeReader } from '../lib/file-range-reader.js';
import type { Id } from '../model/index.js';
import type { ScratchCodec } from '../repo/index.js';
import { decodePackHeader, parseHeaderLength, type PackedBlob } from '../repo/pack.js';
import { compareHeader, verifyPack, type PackVerdict } from './pack-verify.js';

/** A blob inside a piece: `at` is its offset within the piece's bytes. */
export interface PieceBlob {
  readonly id: Id;
  readonly at: number;
  readonly length: number;
  readonly uncompressedLength: number;
}

/**
 * Work for the thread a pack is pinned to. A pack is read as consecutive pieces (`piece`),
 * then the bytes from the end of its last indexed blob to the end of the file (`finish`),
 * which hold the header. `whole` verifies a pack read in one piece (see verifyPack).
 */
export type StreamTask =
  | { readonly kind: 'piece'; readonly pack: Id; readonly bytes: Uint8Array; readonly blobs: readonly PieceBlob[] }
  | { readonly kind: 'finish'; readonly pack: Id; readonly bytes: Uint8Array; readonly size: number; readonly indexed: readonly PackedBlob[] }
  | { readonly kind: 'drop'; readonly pack: Id }
  | { readonly kind: 'file'; readonly pack: Id; readonly path: string; readonly size: number; readonly indexed: readonly PackedBlob[]; readonly pieceSize: number }
  | { readonly kind: 'whole'; readonly bytes: Uint8Array; readonly indexed: readonly PackedBlob[] };

/**
 * A pack's indexed blobs in offset order, cut into consecutive pieces of about `pieceSize`
 * bytes (a piece ends after the blob that reaches it), each blob placed within its piece. A
 * blob larger than `pieceSize` has a piece of its own, which a reader may take in parts.
 */
export function packPieces(indexed: readonly PackedBlob[], pieceSize: number): { start: number; end: number; blobs: PieceBlob[] }[] {
  const sorted = [...indexed].sort((a, b) => a.offset - b.offset);
  const pieces: { start: number; end: number; blobs: PieceBlob[] }[] = [];
  let start = 0;
  for (let i = 0; i < sorted.length; ) {
    const blobs: PieceBlob[] = [];
    let end = start;
    while (i < sorted.length && (blobs.length === 0 || (end - start < pieceSize && sorted[i]!.length <= pieceSize))) {
      const b = sorted[i++]!;
      end = b.offset + b.length;
      blobs.push({ id: b.id, at: b.offset - start, length: b.length, uncompressedLength: b.uncompressedLength });
    }
    pieces.push({ start, end, blobs });
    start = end;
  }
  return pieces;
}

/** `finish` and `file`: whether the pack is intact (hash, header, every blob); a piece or drop: null. */
export type StreamReply = boolean | null | PackVerdict;

/**
 * The per-thread side of streamed pack verification: a running SHA-256 of each pack being
 * read, and whether any of its blobs failed so far. A pack that turns out not to be intact
 * is read again whole and judged by verifyPack, which names every problem; this only has
 * to tell intact from not.
 */
export class PackStreams {
  private readonly packs = new Map<Id, { hash: Hash; bad: boolean }>();
  /** Where `file` tasks read their pieces. */
  private readonly reader = new FileRangeReader();

  constructor(
    private readonly key: MasterKey,
    private readonly codec: ScratchCodec,
  ) {}

  handle(task: StreamTask): StreamReply {
    switch (task.kind) {
      case 'whole':
        return verifyPack(this.key, task.bytes, task.indexed, (id, sealed, ulen) => this.codec.open(id, sealed, ulen));
      case 'drop':
        this.packs.delete(task.pack);
        return null;
      case 'piece': {
        const s = this.state(task.pack);
        s.hash.update(task.bytes);
        // Hashed above and laid out without overlaps (checked before streaming): each blob
        // can be decrypted where it lies.
        for (const b of task.blobs) {
          try {
            this.codec.openOwned(b.id, task.bytes.subarray(b.at, b.at + b.length), b.uncompressedLength);
          } catch {
            s.bad = true;
          }
        }
        return null;
      }
      case 'file':
        return this.verifyFile(task);
      case 'finish': {
        const s = this.state(task.pack);
        this.packs.delete(task.pack);
        s.hash.update(task.bytes);
        if (s.bad || s.hash.digest('hex') !== task.pack) return false;
        return this.headerMatches(task.bytes, task.size, task.indexed);
      }
    }
  }

  /**
   * A pack of a local repository, read here piece by piece into one reused buffer and
   * handled as the pieces another thread would send: no bytes cross threads and nothing is
   * allocated per piece. The caller has checked that the indexed blobs do not overlap and
   * lie inside `size`. Any failure to read is "not intact": the caller then loads the pack
   * and judges it whole, which reports a missing file.
   */
  private verifyFile(task: Extract<StreamTask, { kind: 'file' }>): boolean {
    let fd: number;
    try {
      fd = openSync(task.path, 'r');
    } catch {
      return false;
    }
    try {
      let end = 0;
      for (const p of packPieces(task.indexed, task.pieceSize)) {
        const big = p.blobs.length === 1 && p.blobs[0]!.length > task.pieceSize;
        if (big ? !this.streamBlob(fd, task.pack, p.start, p.end - p.start, p.blobs[0]!, task.pieceSize) : !this.readPiece(fd, task.pack, p)) return false;
        end = p.end;
      }
      const tail = this.reader.read(fd, end, task.size - end);
      return tail !== undefined && this.handle({ kind: 'finish', pack: task.pack, bytes: tail, size: task.size, indexed: task.indexed }) === true;
    } finally {
      this.packs.delete(task.pack);
      closeSync(fd);
    }
  }

  private readPiece(fd: number, pack: Id, p: { start: number; end: number; blobs: PieceBlob[] }): boolean {
    const bytes = this.reader.read(fd, p.start, p.end - p.start);
    if (!bytes) return false;
    this.handle({ kind: 'piece', pack, bytes, blobs: p.blobs });
    return true;
  }

  /**
   * A blob larger than a piece, read and checked in parts of `partSize` (a multiple of 16),
   * so the read buffer never grows to the blob's size. False when it is not intact.
   */
  private streamBlob(fd: number, pack: Id, start: number, length: number, blob: PieceBlob, partSize: number): boolean {
    const s = this.state(pack);
    const check = this.codec.streamCheck(blob.id, blob.length, blob.uncompressedLength);
    const step = Math.max(16, partSize - (partSize % 16)); // decryption restarts on a block boundary
    for (let at = 0; at < length; at += step) {
      const bytes = this.reader.read(fd, start + at, Math.min(step, length - at));
      if (!bytes) return false;
      s.hash.update(bytes);
      check.push(bytes);
    }
    return check.end();
  }

  /** The header, in the tail read last, must match the index exactly. */
  private headerMatches(tail: Uint8Array, size: number, indexed: readonly PackedBlob[]): boolean {
    try {
      const tailStart = size - tail.length;
      const dataEnd = size - 4 - parseHeaderLength(tail.subarray(tail.length - 4), size);
      if (dataEnd < tailStart) return false;
      const entries = decodePackHeader(open(this.key, tail.subarray(dataEnd - tailStart, tail.length - 4)));
      let clean = true;
      compareHeader(indexed, entries, dataEnd, () => (clean = false));
      return clean;
    } catch {
      return false;
    }
  }

  private state(pack: Id): { hash: Hash; bad: boolean } {
    let s = this.packs.get(pack);
    if (!s) this.packs.set(pack, (s = { hash: createHash('sha256'), bad: false }));
    return s;
  }
}
