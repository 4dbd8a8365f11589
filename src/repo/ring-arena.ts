/**
 * Buffers carved in order out of one fixed slab and freed in roughly the same order, as a
 * worker's held chunks are (decisions come back in the order chunks were read). Chunks held
 * for a few milliseconds each would otherwise be separate ArrayBuffers that outlive two
 * young-generation collections, get promoted, and stay resident until a full collection:
 * that, not the data in flight, was most of a worker's memory. `alloc` returns undefined
 * when the slab has no room in one piece; the caller then allocates normally.
 */
export class RingArena {
  private readonly slab: Buffer;
  /** Live allocations, oldest first: start offset, end offset, freed yet. */
  private readonly live: { start: number; end: number; freed: boolean }[] = [];
  private first = 0;
  private readonly byStart = new Map<number, { start: number; end: number; freed: boolean }>();
  /** Where the next allocation goes. */
  private tail = 0;

  constructor(readonly size: number) {
    this.slab = Buffer.allocUnsafeSlow(size);
  }

  /** Bytes in allocations not freed yet. */
  get used(): number {
    let n = 0;
    for (let i = this.first; i < this.live.length; i++) if (!this.live[i]!.freed) n += this.live[i]!.end - this.live[i]!.start;
    return n;
  }

  alloc(n: number): Buffer | undefined {
    const start = this.place(n);
    if (start < 0) return undefined;
    const entry = { start, end: start + n, freed: false };
    this.live.push(entry);
    this.byStart.set(start, entry);
    this.tail = start + n;
    return this.slab.subarray(start, start + n);
  }

  /** True when `alloc(n)` would succeed now. */
  canAlloc(n: number): boolean {
    return this.place(n) >= 0;
  }

  /** Where `n` bytes would go, or -1 when there is no room in one piece. */
  private place(n: number): number {
    if (n <= 0 || n > this.size) return -1;
    const head = this.first < this.live.length ? this.live[this.first]!.start : -1;
    if (head < 0) return 0;
    if (this.tail > head || (this.tail === head && this.live.length === this.first)) {
      // Not wrapped: room after the tail, or else at the front before the oldest live piece.
      if (this.tail + n <= this.size) return this.tail;
      return n <= head ? 0 : -1;
    }
    // Wrapped: the room is between the tail and the oldest live piece.
    return this.tail + n <= head ? this.tail : -1;
  }

  /** True when `b` came from this arena (and is not freed yet). */
  owns(b: Uint8Array): boolean {
    return b.buffer === this.slab.buffer && this.byStart.get(b.byteOffset - this.slab.byteOffset)?.freed === false;
  }

  free(b: Uint8Array): void {
    if (b.buffer !== this.slab.buffer) return;
    const entry = this.byStart.get(b.byteOffset - this.slab.byteOffset);
    if (!entry || entry.freed) return;
    entry.freed = true;
    this.byStart.delete(entry.start);
    while (this.first < this.live.length && this.live[this.first]!.freed) this.first++;
    if (this.first === this.live.length) {
      this.live.length = 0;
      this.first = 0;
      this.tail = 0;
    } else if (this.first > 1024) {
      this.live.splice(0, this.first);
      this.first = 0;
    }
  }
}
