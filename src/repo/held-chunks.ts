import { CIPHER_OVERHEAD, IV_BYTES } from '../crypto/authenticated-cipher.js';
import { LifeboatError } from '../errors/index.js';
import { GarbageMeter } from '../lib/garbage-meter.js';
import { SCAN_SIZE, type ChunkBuffers } from './file-chunks.js';
import { RingArena } from './ring-arena.js';

export interface HeldChunk {
  readonly id: string;
  readonly plain: Uint8Array;
}

/**
 * A worker's chunks that were read and hashed and wait for the main thread's decision (seal
 * or drop), by ticket, and the memory they live in. Chunks read on the worker are boxed: each
 * lies in a ring arena with room for the IV before it and the MAC after it, so sealing one
 * stored raw encrypts it where it lies. What is held (`bytes`) is what a worker's reads pause
 * on: the bound on a backup's plaintext in memory, whatever the file sizes.
 */
export class HeldChunks {
  private readonly held = new Map<number, HeldChunk>();
  /** Bytes of chunks read on this worker and held. */
  bytes = 0;
  private tickets = 0;
  private readonly arena: RingArena;
  /** Plaintexts dropped outside the arena: their memory comes back only when collected. */
  private readonly garbage = new GarbageMeter(4 * 1024 * 1024);
  private readonly spareScanBuffers: Buffer[] = [];
  private waiters: (() => void)[] = [];
  /** Where readers put the chunks they read (`file-chunks.ts`). */
  readonly buffers: ChunkBuffers;

  constructor(arenaSize: number) {
    this.arena = new RingArena(arenaSize);
    this.buffers = {
      alloc: (n) => (this.arena.alloc(n + CIPHER_OVERHEAD) ?? Buffer.allocUnsafeSlow(n + CIPHER_OVERHEAD)).subarray(IV_BYTES, IV_BYTES + n),
      free: (b) => this.free(b),
      scanBuffer: () => this.spareScanBuffers.pop() ?? Buffer.allocUnsafeSlow(SCAN_SIZE),
      doneWithScanBuffer: (b) => void this.spareScanBuffers.push(b),
    };
  }

  /** Holds a chunk read here (from `buffers.alloc`). Its ticket is negative: the main thread's own `hash` tickets are positive. */
  hold(id: string, plain: Uint8Array): number {
    const ticket = -++this.tickets;
    this.held.set(ticket, { id, plain });
    this.bytes += plain.length;
    return ticket;
  }

  /** Takes a chunk `hold` held; undefined when the ticket is unknown. */
  release(ticket: number): HeldChunk | undefined {
    const h = this.held.get(ticket);
    if (!h) return undefined;
    this.held.delete(ticket);
    this.bytes -= h.plain.length;
    return h;
  }

  /** `release`, for a ticket that must be held. */
  take(ticket: number): HeldChunk {
    const h = this.release(ticket);
    if (!h) throw new LifeboatError('INTERNAL', `no held blob for ticket ${ticket}`);
    return h;
  }

  /** Holds a blob the main thread sent (no box around it), under the main thread's ticket; not counted in `bytes`. */
  holdSent(ticket: number, id: string, plain: Uint8Array): void {
    this.held.set(ticket, { id, plain });
  }

  /** Takes, or with `drop` discards, a blob `holdSent` held. */
  takeSent(ticket: number, drop = false): HeldChunk | undefined {
    const h = this.held.get(ticket);
    this.held.delete(ticket);
    if (drop && h) this.garbage.add(h.plain.length);
    return h;
  }

  /** The box around a chunk from `buffers.alloc`. */
  boxOf(plain: Uint8Array): Uint8Array {
    return new Uint8Array(plain.buffer, plain.byteOffset - IV_BYTES, plain.length + CIPHER_OVERHEAD);
  }

  /** Gives back the memory of a chunk from `buffers.alloc`. */
  free(plain: Uint8Array): void {
    const box = this.boxOf(plain);
    if (this.arena.owns(box)) this.arena.free(box);
    else this.garbage.add(box.length);
  }

  /** A buffer of this many bytes became garbage. */
  dropped(bytes: number): void {
    this.garbage.add(bytes);
  }

  /**
   * True when `length` bytes (a chunk, boxed) fit in the arena now, or nothing is held: the
   * arena is then empty, and a chunk that still does not fit is allocated apart.
   */
  roomFor(length: number): boolean {
    return this.bytes === 0 || this.arena.canAlloc(length + CIPHER_OVERHEAD);
  }

  /** Resolves at the next `wake`. */
  changed(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }

  /** Something was freed: paused reads look again at what they wait for. */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
