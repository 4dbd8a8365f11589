import { createHash, type Hash } from 'node:crypto';
import { open, type MasterKey } from '../crypto/index.js';
import type { Id } from '../model/index.js';
import { decodePackHeader, parseHeaderLength, type PackedBlob, type ScratchCodec } from '../repo/index.js';
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
  | { readonly kind: 'whole'; readonly bytes: Uint8Array; readonly indexed: readonly PackedBlob[] };

/** `finish`: whether the pack is intact (hash, header, every blob); a piece or drop: null. */
export type StreamReply = boolean | null | PackVerdict;

/**
 * The per-thread side of streamed pack verification: a running SHA-256 of each pack being
 * read, and whether any of its blobs failed so far. A pack that turns out not to be intact
 * is read again whole and judged by verifyPack, which names every problem; this only has
 * to tell intact from not.
 */
export class PackStreams {
  private readonly packs = new Map<Id, { hash: Hash; bad: boolean }>();

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
        for (const b of task.blobs) {
          try {
            this.codec.open(b.id, task.bytes.subarray(b.at, b.at + b.length), b.uncompressedLength);
          } catch {
            s.bad = true;
          }
        }
        return null;
      }
      case 'finish': {
        const s = this.state(task.pack);
        this.packs.delete(task.pack);
        s.hash.update(task.bytes);
        if (s.bad || s.hash.digest('hex') !== task.pack) return false;
        return this.headerMatches(task.bytes, task.size, task.indexed);
      }
    }
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
