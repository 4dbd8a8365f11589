import { decodeIndexColumns, type IndexColumns } from '../lib/fs-native.js';
import type { Id } from '../model/index.js';

// An index decoder for the shape restic and Lifeboat write, straight from the bytes: no
// JSON.parse objects, no hex string per blob ID (IDs go to 32 bytes as they are read). Every
// backup loads the whole index before its walk can start, so this is on its critical path.
// Anything it does not handle (whitespace aside: escapes, unknown or repeated keys, nulls,
// numbers other than plain digits, the old bare-array format) makes it give up, and the
// general decoder in index-file.ts decides and names the error.

/**
 * An index file's blobs in columns, as the native helper gives them (see IndexColumns), with
 * pack IDs and `supersedes` as text; a blob's pack is an index into `packIds`.
 */
export interface DecodedIndex extends Omit<IndexColumns, 'packIds' | 'supersedes'> {
  readonly supersedes: Id[] | undefined;
  readonly packIds: Id[];
  readonly count: number;
}

/** Thrown to give up; never escapes this module. */
const BAIL = Symbol('bail');

function bail(): never {
  throw BAIL;
}

/** The index file's blobs, or undefined when the general decoder must decide. */
export function fastDecodeIndex(bytes: Uint8Array): DecodedIndex | undefined {
  // The native helper's decoder, when built, takes the same shapes: a backup loads the index
  // cold, before the JIT has made this file's loops fast.
  if (decodeIndexColumns) {
    const c = decodeIndexColumns(bytes);
    return c === null ? undefined : fromColumns(c);
  }
  return scanIndex(bytes);
}

/** The same, in JavaScript: without the native helper, and for its tests. */
export function scanIndex(bytes: Uint8Array): DecodedIndex | undefined {
  try {
    return new IndexScanner(bytes).index();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

function fromColumns(c: IndexColumns): DecodedIndex {
  const hexIds = (b: Buffer) => Array.from({ length: b.length / 32 }, (_, i) => b.toString('hex', i * 32, i * 32 + 32));
  return {
    supersedes: c.supersedes ? hexIds(c.supersedes) : undefined,
    packIds: hexIds(c.packIds),
    count: c.types.length,
    packOf: c.packOf,
    types: c.types,
    keys: c.keys,
    offsets: c.offsets,
    lengths: c.lengths,
    ulens: c.ulens,
  };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Lower-case hex digit → value, anything else → 255. */
const HEX_VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/** The keys this decoder knows; a key's number is its place here (K). A blob's come first. */
const KEY_NAMES = ['id', 'type', 'offset', 'length', 'uncompressed_length', 'blobs', 'packs', 'supersedes'] as const;
const KEYS = KEY_NAMES.map((k) => Buffer.from(k));
const K = Object.fromEntries(KEY_NAMES.map((k, i) => [k, i])) as { readonly [k in (typeof KEY_NAMES)[number]]: number };

class IndexScanner {
  private pos = 0;
  private count = 0;
  private packOf: Uint32Array;
  private types: Uint8Array;
  private keys: Buffer;
  private offsets: Uint32Array;
  private lengths: Uint32Array;
  private ulens: Uint32Array;
  private readonly packIds: Id[] = [];

  constructor(private readonly b: Uint8Array) {
    // restic writes about 130 bytes a blob: room for all of them, grown if not.
    const cap = Math.max(16, Math.ceil(b.length / 100));
    this.packOf = new Uint32Array(cap);
    this.types = new Uint8Array(cap);
    this.keys = Buffer.alloc(cap * 32);
    this.offsets = new Uint32Array(cap);
    this.lengths = new Uint32Array(cap);
    this.ulens = new Uint32Array(cap);
  }

  index(): DecodedIndex {
    let supersedes: Id[] | undefined;
    let packs = false;
    this.expect(OPEN_OBJECT);
    if (!this.take(CLOSE_OBJECT)) {
      do {
        const key = this.key();
        this.expect(COLON);
        if (key === K.packs && !packs) {
          packs = true;
          this.list(() => this.pack());
        } else if (key === K.supersedes && supersedes === undefined) {
          supersedes = this.idList();
        } else bail();
      } while (this.take(COMMA));
      this.expect(CLOSE_OBJECT);
    }
    this.ws();
    if (this.pos !== this.b.length || !packs) bail();
    const n = this.count;
    return {
      supersedes,
      packIds: this.packIds,
      count: n,
      packOf: this.packOf.subarray(0, n),
      types: this.types.subarray(0, n),
      keys: this.keys.subarray(0, n * 32),
      offsets: this.offsets.subarray(0, n),
      lengths: this.lengths.subarray(0, n),
      ulens: this.ulens.subarray(0, n),
    };
  }

  /** A JSON array, each element read by `item`. */
  private list(item: () => void): void {
    this.expect(OPEN_ARRAY);
    if (this.take(CLOSE_ARRAY)) return;
    do item();
    while (this.take(COMMA));
    this.expect(CLOSE_ARRAY);
  }

  private pack(): void {
    let id: Id | undefined;
    const first = this.count;
    let blobs = false;
    this.expect(OPEN_OBJECT);
    do {
      const key = this.key();
      this.expect(COLON);
      if (key === K.id && id === undefined) id = this.idText();
      else if (key === K.blobs && !blobs) {
        blobs = true;
        this.list(() => this.blob());
      } else bail();
    } while (this.take(COMMA));
    this.expect(CLOSE_OBJECT);
    if (id === undefined || !blobs) bail();
    const pn = this.packIds.length;
    this.packIds.push(id);
    this.packOf.fill(pn, first, this.count);
  }

  private blob(): void {
    if (this.count === this.types.length) this.grow();
    const e = this.count;
    // A bit per field seen (1 << its K number).
    let seen = 0;
    this.expect(OPEN_OBJECT);
    do {
      const key = this.key();
      this.expect(COLON);
      if (key > K.uncompressed_length) bail();
      const bit = 1 << key;
      if (seen & bit) bail();
      seen |= bit;
      if (key === K.id) this.idInto(this.keys, e * 32);
      else if (key === K.type) this.types[e] = this.type();
      else if (key === K.offset) this.offsets[e] = this.u32();
      else if (key === K.length) this.lengths[e] = this.u32();
      else this.ulens[e] = this.u32();
    } while (this.take(COMMA));
    this.expect(CLOSE_OBJECT);
    // id, type, offset and length are required (the general decoder names what is missing).
    if ((seen & 15) !== 15) bail();
    if (!(seen & 16)) this.ulens[e] = 0;
    this.count++;
  }

  private grow(): void {
    const cap = this.types.length * 2;
    const more = <T extends Uint8Array | Uint32Array>(old: T, make: (n: number) => T, per = 1): T => {
      const n = make(cap * per);
      n.set(old);
      return n;
    };
    this.packOf = more(this.packOf, (n) => new Uint32Array(n));
    this.types = more(this.types, (n) => new Uint8Array(n));
    this.keys = more(this.keys, (n) => Buffer.alloc(n), 32);
    this.offsets = more(this.offsets, (n) => new Uint32Array(n));
    this.lengths = more(this.lengths, (n) => new Uint32Array(n));
    this.ulens = more(this.ulens, (n) => new Uint32Array(n));
  }

  private ws(): void {
    const b = this.b;
    let c = b[this.pos];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.pos];
  }

  private expect(ch: number): void {
    this.ws();
    if (this.b[this.pos] !== ch) bail();
    this.pos++;
  }

  private take(ch: number): boolean {
    this.ws();
    if (this.b[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  /** An object key, as its number in KEYS (else bail): compared as bytes, no string made. */
  private key(): number {
    this.expect(QUOTE);
    const b = this.b;
    const from = this.pos;
    const end = b.indexOf(QUOTE, from);
    if (end < 0) bail();
    const len = end - from;
    for (let k = 0; k < KEYS.length; k++) {
      const key = KEYS[k]!;
      if (key.length !== len) continue;
      let i = 0;
      while (i < len && b[from + i] === key[i]) i++;
      if (i === len) {
        this.pos = end + 1;
        return k;
      }
    }
    return bail();
  }

  /** A quoted ID (64 lower-case hex digits) into `out` at `at` as 32 bytes. */
  private idInto(out: Uint8Array, at: number): void {
    this.expect(QUOTE);
    const b = this.b;
    let p = this.pos;
    if (p + 65 > b.length || b[p + 64] !== QUOTE) bail();
    for (let i = 0; i < 32; i++, p += 2) {
      const hi = HEX_VALUE[b[p]!]!;
      const lo = HEX_VALUE[b[p + 1]!]!;
      if ((hi | lo) > 15) bail();
      out[at + i] = (hi << 4) | lo;
    }
    this.pos = p + 1;
  }

  /** A quoted ID as text (pack IDs and supersedes: a few per file). */
  private idText(): Id {
    const scratch = Buffer.alloc(32);
    this.idInto(scratch, 0);
    return scratch.toString('hex');
  }

  private idList(): Id[] {
    const out: Id[] = [];
    this.list(() => out.push(this.idText()));
    return out;
  }

  private type(): number {
    this.expect(QUOTE);
    const b = this.b;
    const p = this.pos;
    if (b[p + 4] !== QUOTE) bail();
    // "data" or "tree"
    const t = b[p] === 0x64 && b[p + 1] === 0x61 && b[p + 2] === 0x74 && b[p + 3] === 0x61 ? 0 : b[p] === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x65 && b[p + 3] === 0x65 ? 1 : bail();
    this.pos = p + 5;
    return t;
  }

  /** Plain digits (no sign, fraction, exponent or leading zero) of a value up to 2^32 - 1. */
  private u32(): number {
    this.ws();
    const b = this.b;
    const from = this.pos;
    let n = 0;
    let c = b[this.pos];
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      c = b[++this.pos];
    }
    const len = this.pos - from;
    if (len === 0 || len > 10 || (len > 1 && b[from] === 0x30) || n > 0xffffffff) bail();
    if (c === 0x2e || c === 0x65 || c === 0x45) bail();
    return n;
  }
}
