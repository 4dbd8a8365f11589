import type { BlobType, Id } from '../model/index.js';
import { sealBlob, blobId, type SealedBlob } from './blob-codec.js';
import type { CompressionMode } from './compression.js';
import { encodeIndexFile, type IndexedPack } from './index-file.js';
import { PackBuilder, type FinishedPack } from './pack-builder.js';
import type { Repository } from './repository.js';

export interface WriterOptions {
  /** Target pack size; a pack closes after the blob that crosses it. restic's default is 16 MiB. */
  readonly packSize?: number;
  readonly compression?: CompressionMode;
  /** Pack uploads in flight; more waits (backpressure keeps memory bounded). */
  readonly uploads?: number;
}

export interface WriterStats {
  dataBlobs: number;
  treeBlobs: number;
  /** Bytes of new blobs before compression. */
  dataAdded: number;
  /** Bytes of new packs as stored. */
  dataStored: number;
  packs: number;
}

const MAX_BLOBS_PER_INDEX = 150_000;

/**
 * Adds blobs to a repository. Order of writes is what keeps a repository consistent
 * after a crash at any moment: packs first, then the index that lists them, and only
 * then (by the caller, after `flush`) a snapshot that refers to them.
 */
export class RepoWriter {
  readonly stats: WriterStats = { dataBlobs: 0, treeBlobs: 0, dataAdded: 0, dataStored: 0, packs: 0 };
  private readonly packers: Record<BlobType, PackBuilder> = { data: new PackBuilder('data'), tree: new PackBuilder('tree') };
  /** Blobs added by this writer and not yet in the repository's index. */
  private readonly pending = new Set<Id>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly written: IndexedPack[] = [];
  private failure: unknown;
  private readonly packSize: number;
  private readonly uploads: number;
  readonly compression: CompressionMode;

  constructor(readonly repo: Repository, opts: WriterOptions = {}) {
    this.packSize = opts.packSize ?? 16 * 1024 * 1024;
    this.uploads = opts.uploads ?? 4;
    this.compression = opts.compression ?? 'auto';
  }

  /** True when the repository has the blob or this writer already took it. */
  has(type: BlobType, id: Id): boolean {
    return this.pending.has(id) || this.repo.index.has(id, type);
  }

  /** Hashes, deduplicates, compresses, encrypts and packs one blob. Returns its ID. */
  async saveBlob(type: BlobType, plain: Uint8Array, knownId?: Id): Promise<{ id: Id; added: boolean }> {
    const id = knownId ?? blobId(plain);
    if (this.has(type, id)) return { id, added: false };
    await this.addSealed(type, sealBlob(this.repo.key, id, plain, this.compression, type === 'tree'), plain.length);
    return { id, added: true };
  }

  /**
   * Adds a blob that was already sealed (by a worker thread). The caller must have checked
   * `has` first; a duplicate slipping through is harmless, only wasted space.
   */
  async addSealed(type: BlobType, blob: SealedBlob, plainLength: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending.has(blob.id)) return;
    this.pending.add(blob.id);
    if (type === 'data') {
      this.stats.dataBlobs++;
      this.stats.dataAdded += plainLength;
    } else {
      this.stats.treeBlobs++;
    }
    const packer = this.packers[type];
    packer.add(blob.id, blob.sealed, blob.uncompressedLength);
    if (packer.size >= this.packSize) await this.closePack(packer);
  }

  /** Closes the open packs, waits for every upload, and writes the index for them. */
  async flush(): Promise<void> {
    for (const packer of Object.values(this.packers)) if (packer.count > 0) await this.closePack(packer);
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    await this.writeIndex();
  }

  private async closePack(packer: PackBuilder): Promise<void> {
    while (this.inFlight.size >= this.uploads) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const pack = packer.finish(this.repo.key);
    const p = this.upload(pack).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async upload(pack: FinishedPack): Promise<void> {
    try {
      await this.repo.backend.save({ type: 'data', name: pack.id }, pack.bytes);
      this.stats.packs++;
      this.stats.dataStored += pack.bytes.length;
      this.written.push({ id: pack.id, blobs: pack.blobs });
    } catch (e) {
      this.failure ??= e;
    }
  }

  private async writeIndex(): Promise<void> {
    while (this.written.length > 0) {
      const batch: IndexedPack[] = [];
      let blobs = 0;
      while (this.written.length > 0 && blobs < MAX_BLOBS_PER_INDEX) {
        const p = this.written.shift()!;
        batch.push(p);
        blobs += p.blobs.length;
      }
      await this.repo.saveUnpacked('index', encodeIndexFile({ packs: batch }));
      for (const p of batch) {
        this.repo.index.addPack(p);
        for (const b of p.blobs) this.pending.delete(b.id);
      }
    }
  }
}
