import { LifeboatError } from '../errors/index.js';
import { idFromBytes, type BlobType, type Id } from '../model/index.js';
import type { IndexedPack, IndexSink } from './index-file.js';
import type { DecodedIndex } from './index-fast-decode.js';
import type { PackedBlob } from './pack.js';

/** Where a blob lives: its pack and its place in it. */
export interface BlobLocation extends PackedBlob {
  readonly packId: Id;
}

const EMPTY = -1;

// Lookups are synchronous, so one buffer serves every key conversion (no allocation per call).
const SCRATCH = Buffer.alloc(32);

/** Lower-case hex digit → value, anything else → 255 (IDs are lower-case hex, as restic writes them). */
const HEX_VALUE = new Uint8Array(128).fill(255);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * The ID's 32 bytes in a shared buffer, valid until the next call; undefined when not 64
 * lower-case hex digits. Decoded here rather than by Buffer.write: this runs once per blob
 * of the index and per lookup, and the native call costs more than the loop.
 */
function scratchKey(id: Id): Buffer | undefined {
  if (id.length !== 64) return undefined;
  for (let i = 0; i < 32; i++) {
    const hi = HEX_VALUE[id.charCodeAt(2 * i)] ?? 255;
    const lo = HEX_VALUE[id.charCodeAt(2 * i + 1)] ?? 255;
    if ((hi | lo) > 15) return undefined;
    SCRATCH[i] = (hi << 4) | lo;
  }
  return SCRATCH;
}

/**
 * The union of all index files: blob ID → pack locations. Kept in typed arrays and an
 * open-addressing table (about 60 bytes a blob) rather than a Map of objects, because
 * index memory is what makes restic run out of RAM on large repositories.
 * A blob may be listed in several packs; each (blob, pack) pair is kept once.
 */
export class MasterIndex implements IndexSink {
  private count = 0;
  private cap = 0;
  private ids = new Uint8Array(0);
  private packOf = new Uint32Array(0);
  private offsets = new Uint32Array(0);
  private lengths = new Uint32Array(0);
  private ulens = new Uint32Array(0);
  private types = new Uint8Array(0);
  private slots = new Int32Array(0);
  private readonly packIds: Id[] = [];
  private readonly packNumbers = new Map<Id, number>();

  constructor(initialCapacity = 1024) {
    this.grow(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  get packCount(): number {
    return this.packIds.length;
  }

  addPack(pack: IndexedPack): void {
    const pn = this.pack(pack.id);
    for (const b of pack.blobs) this.blob(pn, b.type, b.id, b.offset, b.length, b.uncompressedLength);
  }

  /** {@link IndexSink}: the pack's number (each pack ID is stored once). */
  pack(id: Id): number {
    let pn = this.packNumbers.get(id);
    if (pn === undefined) {
      pn = this.packIds.length;
      this.packIds.push(id);
      this.packNumbers.set(id, pn);
    }
    return pn;
  }

  /** {@link IndexSink}: one blob of pack number `pn` (from {@link pack}); `id` must be a valid ID. */
  blob(pn: number, type: BlobType, id: Id, offset: number, length: number, uncompressedLength: number): void {
    const key = scratchKey(id);
    if (key === undefined) throw new LifeboatError('INVALID_ARGUMENT', `index: invalid blob ID "${id.slice(0, 80)}"`);
    if (this.count + 1 > this.cap) this.grow(Math.max(16, this.cap * 2));
    this.insert(pn, type === 'tree' ? 1 : 0, key, 0, offset, length, uncompressedLength);
  }

  /**
   * {@link IndexSink}: a decoded index file's blobs at once (`packNumbers` maps its packs to
   * {@link pack}'s numbers): grown once, not per blob as {@link blob} may.
   */
  addDecoded(d: DecodedIndex, packNumbers: readonly number[]): void {
    if (this.count + d.count > this.cap) this.grow(Math.max(16, this.cap * 2, this.count + d.count));
    for (let i = 0; i < d.count; i++) this.insert(packNumbers[d.packOf[i]!]!, d.types[i]!, d.keys, i * 32, d.offsets[i]!, d.lengths[i]!, d.ulens[i]!);
  }

  /** Adds a blob (ID: the 32 bytes of `keys` from `at`; `t` 1 for a tree) unless that pack already lists it; there is room. */
  private insert(pn: number, t: number, keys: Uint8Array, at: number, offset: number, length: number, uncompressedLength: number): void {
    const mask = this.slots.length - 1;
    let s = ((keys[at]! | (keys[at + 1]! << 8) | (keys[at + 2]! << 16) | (keys[at + 3]! << 24)) >>> 0) & mask;
    for (; this.slots[s] !== EMPTY; s = (s + 1) & mask) {
      const e = this.slots[s]!;
      // restic's index key is (ID, type): an old mixed pack may hold the same ID as both.
      if (this.packOf[e] === pn && this.types[e] === t && this.idEquals(e, keys, at)) return;
    }
    const e = this.count++;
    // A loop, not set(subarray): a view per blob is garbage the index load does not need.
    for (let i = 0, base = e * 32; i < 32; i++) this.ids[base + i] = keys[at + i]!;
    this.packOf[e] = pn;
    this.offsets[e] = offset;
    this.lengths[e] = length;
    this.ulens[e] = uncompressedLength;
    this.types[e] = t;
    // The probe above ended at the free slot this blob takes.
    this.slots[s] = e;
  }

  has(id: Id, type?: BlobType): boolean {
    return this.find(scratchKey(id), type) !== EMPTY;
  }

  /** The first known location of the blob, or undefined. */
  lookup(id: Id, type?: BlobType): BlobLocation | undefined {
    const e = this.find(scratchKey(id), type);
    return e === EMPTY ? undefined : this.entry(e);
  }

  /** Every pack holding the blob. */
  lookupAll(id: Id): BlobLocation[] {
    const key = scratchKey(id);
    const out: BlobLocation[] = [];
    if (key === undefined) return out;
    const mask = this.slots.length - 1;
    for (let s = key.readUInt32LE(0) & mask; this.slots[s] !== EMPTY; s = (s + 1) & mask) {
      const e = this.slots[s]!;
      if (this.idEquals(e, key)) out.push(this.entry(e));
    }
    return out;
  }

  hasPack(packId: Id): boolean {
    return this.packNumbers.has(packId);
  }

  packs(): readonly Id[] {
    return this.packIds;
  }

  /** Every (blob, pack) pair, grouped by nothing in particular. */
  *entries(): IterableIterator<BlobLocation> {
    for (let e = 0; e < this.count; e++) yield this.entry(e);
  }

  /** Packs with their blobs, as an index file would list them. */
  byPack(): IndexedPack[] {
    const blobs: PackedBlob[][] = this.packIds.map(() => []);
    for (let e = 0; e < this.count; e++) {
      const { packId: _p, ...b } = this.entry(e);
      blobs[this.packOf[e]!]!.push(b);
    }
    return this.packIds.map((id, i) => ({ id, blobs: blobs[i]!.sort((a, b) => a.offset - b.offset) }));
  }

  private find(key: Buffer | undefined, type?: BlobType): number {
    if (key === undefined) return EMPTY;
    const mask = this.slots.length - 1;
    for (let s = key.readUInt32LE(0) & mask; this.slots[s] !== EMPTY; s = (s + 1) & mask) {
      const e = this.slots[s]!;
      if (this.idEquals(e, key) && (type === undefined || this.types[e] === (type === 'tree' ? 1 : 0))) return e;
    }
    return EMPTY;
  }

  private idEquals(e: number, key: Uint8Array, at = 0): boolean {
    const base = e * 32;
    for (let i = 0; i < 32; i++) if (this.ids[base + i] !== key[at + i]) return false;
    return true;
  }

  private entry(e: number): BlobLocation {
    return {
      packId: this.packIds[this.packOf[e]!]!,
      type: this.types[e] === 1 ? 'tree' : 'data',
      id: idFromBytes(this.ids.subarray(e * 32, e * 32 + 32)),
      offset: this.offsets[e]!,
      length: this.lengths[e]!,
      uncompressedLength: this.ulens[e]!,
    };
  }

  private insertSlot(e: number): void {
    const mask = this.slots.length - 1;
    const h = this.ids[e * 32]! | (this.ids[e * 32 + 1]! << 8) | (this.ids[e * 32 + 2]! << 16) | (this.ids[e * 32 + 3]! << 24);
    let s = (h >>> 0) & mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
    this.slots[s] = e;
  }

  private grow(cap: number): void {
    const copy = <T extends Uint8Array | Uint32Array>(old: T, make: (n: number) => T, per = 1): T => {
      const n = make(cap * per);
      n.set(old);
      return n;
    };
    this.ids = copy(this.ids, (n) => new Uint8Array(n), 32);
    this.packOf = copy(this.packOf, (n) => new Uint32Array(n));
    this.offsets = copy(this.offsets, (n) => new Uint32Array(n));
    this.lengths = copy(this.lengths, (n) => new Uint32Array(n));
    this.ulens = copy(this.ulens, (n) => new Uint32Array(n));
    this.types = copy(this.types, (n) => new Uint8Array(n));
    this.cap = cap;
    // Table at most half full keeps linear probing short.
    let tableSize = 1;
    while (tableSize < cap * 2) tableSize *= 2;
    this.slots = new Int32Array(tableSize).fill(EMPTY);
    for (let e = 0; e < this.count; e++) this.insertSlot(e);
  }
}
