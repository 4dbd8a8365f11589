import { createHash } from 'node:crypto';
import { seal, type MasterKey } from '../crypto/index.js';
import type { BlobType, Id } from '../model/index.js';
import { encodePackHeader, type PackedBlob } from './pack.js';

/** A finished pack: its bytes, its name, and the blobs it holds. */
export interface FinishedPack {
  readonly id: Id;
  readonly bytes: Uint8Array;
  readonly blobs: readonly PackedBlob[];
}

/** Collects sealed blobs of one type contiguously and closes them into a pack file. */
export class PackBuilder {
  private parts: Uint8Array[] = [];
  private blobs: PackedBlob[] = [];
  private bytes = 0;

  constructor(readonly type: BlobType) {}

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.blobs.length;
  }

  add(id: Id, sealed: Uint8Array, uncompressedLength: number): void {
    this.blobs.push({ type: this.type, id, offset: this.bytes, length: sealed.length, uncompressedLength });
    this.parts.push(sealed);
    this.bytes += sealed.length;
  }

  finish(key: MasterKey): FinishedPack {
    const header = seal(key, encodePackHeader(this.blobs));
    const out = Buffer.allocUnsafe(this.bytes + header.length + 4);
    let p = 0;
    for (const part of this.parts) {
      out.set(part, p);
      p += part.length;
    }
    out.set(header, p);
    out.writeUInt32LE(header.length, p + header.length);
    const id = createHash('sha256').update(out).digest('hex');
    const blobs = this.blobs;
    this.parts = [];
    this.blobs = [];
    this.bytes = 0;
    return { id, bytes: out, blobs };
  }
}
