import { createHash } from 'node:crypto';
import { seal, type MasterKey } from '../crypto/index.js';
import type { BlobType, Id } from '../model/index.js';
import { encodePackHeader, type PackedBlob } from './pack.js';

/** A finished pack: its bytes, its name, and the blobs it holds. */
export interface FinishedPack {
  readonly id: Id;
  readonly bytes: Uint8Array;
  readonly blobs: readonly PackedBlob[];
  /** The whole buffer `bytes` lies in: the writer reuses it for a later pack once uploaded. */
  readonly buffer: Buffer;
}

/**
 * Collects sealed blobs of one type contiguously and closes them into a pack file. Blobs
 * are copied into one growing buffer as they arrive, so each sealed blob can be freed at
 * once instead of living until the pack is finished.
 */
export class PackBuilder {
  private buf: Buffer;
  private blobs: PackedBlob[] = [];
  private bytes = 0;

  constructor(
    readonly type: BlobType,
    private readonly initialCapacity = 1024 * 1024,
    /** A free buffer from an earlier pack, if there is one (recycled: no new allocation per pack). */
    private readonly spare: () => Buffer | undefined = () => undefined,
  ) {
    this.buf = Buffer.allocUnsafeSlow(0);
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.blobs.length;
  }

  add(id: Id, sealed: Uint8Array, uncompressedLength: number): void {
    this.reserve(this.bytes + sealed.length);
    this.buf.set(sealed, this.bytes);
    this.blobs.push({ type: this.type, id, offset: this.bytes, length: sealed.length, uncompressedLength });
    this.bytes += sealed.length;
  }

  finish(key: MasterKey): FinishedPack {
    const header = seal(key, encodePackHeader(this.blobs));
    this.reserve(this.bytes + header.length + 4);
    this.buf.set(header, this.bytes);
    this.buf.writeUInt32LE(header.length, this.bytes + header.length);
    const out = this.buf.subarray(0, this.bytes + header.length + 4);
    const id = createHash('sha256').update(out).digest('hex');
    const blobs = this.blobs;
    const buffer = this.buf;
    this.buf = Buffer.allocUnsafeSlow(0);
    this.blobs = [];
    this.bytes = 0;
    return { id, bytes: out, blobs, buffer };
  }

  private reserve(n: number): void {
    if (n <= this.buf.length) return;
    let cap = Math.max(this.initialCapacity, this.buf.length);
    while (cap < n) cap *= 2;
    const spare = this.bytes === 0 ? this.spare() : undefined;
    const next = spare && spare.length >= n ? spare : Buffer.allocUnsafeSlow(cap);
    next.set(this.buf.subarray(0, this.bytes));
    this.buf = next;
  }
}
