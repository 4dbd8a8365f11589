import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
// Named modules, not the crypto barrel: blob workers build packs with this too, and each
// thread loads what it imports (see blob-worker.ts).
import { seal } from '../crypto/authenticated-cipher.js';
import type { MasterKey } from '../crypto/master-key.js';
import type { BlobType, Id } from '../model/index.js';
import { encodePackHeader, type PackedBlob } from './pack.js';

/** A finished pack in a temp file: its name, the blobs it holds, where it is and its size. */
export interface SpilledPack {
  readonly id: Id;
  readonly blobs: readonly PackedBlob[];
  readonly path: string;
  readonly size: number;
}

/** Small sealed blobs are gathered up to this size before one write. */
const STAGE_BYTES = 1024 * 1024;

/**
 * Builds a pack in a temp file instead of memory, hashing as blobs arrive, as restic does: a
 * backup then holds no pack bytes in memory, whatever the pack size and however slowly the
 * location takes them. The file is removed by `discard` (or by whoever stored it).
 */
export class SpillPackBuilder {
  private fd = -1;
  private path = '';
  private hash: Hash | undefined;
  private blobs: PackedBlob[] = [];
  private bytes = 0;
  private readonly stage = Buffer.allocUnsafeSlow(STAGE_BYTES);
  private staged = 0;

  constructor(
    readonly type: BlobType,
    private readonly dir: string,
  ) {}

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.blobs.length;
  }

  add(id: Id, sealed: Uint8Array, uncompressedLength: number): void {
    if (this.fd < 0) this.open();
    this.hash!.update(sealed);
    if (this.staged + sealed.length > STAGE_BYTES) this.writeStage();
    if (sealed.length >= STAGE_BYTES) writeAll(this.fd, sealed);
    else {
      this.stage.set(sealed, this.staged);
      this.staged += sealed.length;
    }
    this.blobs.push({ type: this.type, id, offset: this.bytes, length: sealed.length, uncompressedLength });
    this.bytes += sealed.length;
  }

  finish(key: MasterKey): SpilledPack {
    if (this.fd < 0) this.open();
    const header = seal(key, encodePackHeader(this.blobs));
    const trailer = Buffer.allocUnsafe(4);
    trailer.writeUInt32LE(header.length);
    this.writeStage();
    writeAll(this.fd, header);
    writeAll(this.fd, trailer);
    closeSync(this.fd);
    const id = this.hash!.update(header).update(trailer).digest('hex');
    const pack: SpilledPack = { id, blobs: this.blobs, path: this.path, size: this.bytes + header.length + 4 };
    this.fd = -1;
    this.hash = undefined;
    this.blobs = [];
    this.bytes = 0;
    return pack;
  }

  /** Drops the pack being built (after a failure). */
  discard(): void {
    if (this.fd >= 0) closeSync(this.fd);
    if (this.path) rmSync(this.path, { force: true });
    this.fd = -1;
    this.blobs = [];
    this.bytes = 0;
    this.staged = 0;
  }

  private open(): void {
    this.path = join(this.dir, `lifeboat-pack-${randomBytes(8).toString('hex')}`);
    // 0600 and exclusive: the file holds only ciphertext, but nobody else should read or swap it.
    this.fd = openSync(this.path, 'wx', 0o600);
    this.hash = createHash('sha256');
  }

  private writeStage(): void {
    if (this.staged === 0) return;
    writeAll(this.fd, this.stage.subarray(0, this.staged));
    this.staged = 0;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}
