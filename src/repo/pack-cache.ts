import type { Id } from '../model/index.js';

/**
 * Whole tree packs kept in memory, least recently used first out. Walking a snapshot reads
 * tree blobs one directory at a time, and they sit together in a few packs: reading each
 * pack once instead of once per directory is what makes re-backups and listings fast.
 */
export class PackCache {
  private readonly packs = new Map<Id, Promise<Uint8Array>>();
  private readonly sizes = new Map<Id, number>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(packId: Id, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.packs.get(packId);
    if (hit) {
      this.packs.delete(packId);
      this.packs.set(packId, hit);
      return hit;
    }
    const p = load();
    this.packs.set(packId, p);
    p.then(
      (b) => {
        if (!this.packs.has(packId)) return;
        this.sizes.set(packId, b.length);
        this.bytes += b.length;
        this.evict();
      },
      () => this.packs.delete(packId),
    );
    return p;
  }

  private evict(): void {
    for (const id of this.packs.keys()) {
      if (this.bytes <= this.maxBytes) return;
      const size = this.sizes.get(id);
      if (size === undefined) continue; // still loading
      this.packs.delete(id);
      this.sizes.delete(id);
      this.bytes -= size;
    }
  }
}
