import { readFile, rm } from 'node:fs/promises';
import type { Backend } from '../backend/index.js';
import type { IndexedPack } from './index-file.js';
import type { FinishedPack } from './pack-builder.js';
import type { SpilledPack } from './pack-spill.js';

/** A pack ready to be stored: in memory, or in a temp file. */
export type ReadyPack = FinishedPack | SpilledPack;

/** What a PackStore tells its owner about each pack it was given. */
export interface PackStoreEvents {
  /** Stored: its blobs can go into an index file. `bytes` is the pack's size. */
  stored(pack: IndexedPack, bytes: number): void;
  /** Could not be stored: the run has failed. */
  failed(e: unknown): void;
  /** Done with, stored or not: its blobs' sealed bytes are no longer on their way. */
  released(sealedBytes: number, pack: ReadyPack): void;
}

/**
 * Stores finished packs, a few at a time: one in memory with `save`; one in a temp file with
 * `saveFile` where the backend has it (a local repository takes it by hard link), else read
 * back and saved. A temp file is removed whatever happens.
 */
export class PackStore {
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly backend: Backend,
    private readonly uploads: number,
    private readonly events: PackStoreEvents,
  ) {}

  /** Resolves once the pack is stored or has failed; it waits for a free slot first. */
  async store(pack: ReadyPack): Promise<void> {
    while (this.active.size >= this.uploads) await Promise.race(this.active);
    const p = this.upload(pack);
    this.active.add(p);
    try {
      await p;
    } finally {
      this.active.delete(p);
    }
  }

  private async upload(pack: ReadyPack): Promise<void> {
    const h = { type: 'data', name: pack.id } as const;
    let stored = false;
    try {
      if (!('path' in pack)) await this.backend.save(h, pack.bytes);
      else if (this.backend.saveFile) await this.backend.saveFile(h, pack.path);
      else await this.backend.save(h, await readFile(pack.path));
      stored = true;
    } catch (e) {
      this.events.failed(e);
    } finally {
      if ('path' in pack) await rm(pack.path, { force: true }).catch(() => undefined);
      let sealedBytes = 0;
      for (const b of pack.blobs) sealedBytes += b.length;
      if (stored) this.events.stored({ id: pack.id, blobs: pack.blobs }, 'path' in pack ? pack.size : pack.bytes.length);
      this.events.released(sealedBytes, pack);
    }
  }
}
