import { LifeboatError } from '../errors/index.js';
import { MAX_POLYNOMIAL_DEGREE, polynomialDegree, polynomialMod, type Polynomial } from './polynomial.js';

/** restic's chunk size bounds; a chunk is cut at a content-defined point in between. */
export const CHUNK_MIN_SIZE = 512 * 1024;
export const CHUNK_MAX_SIZE = 8 * 1024 * 1024;

const WINDOW = 64;
/** Bytes at the start of each chunk that are never hashed: they cannot influence a cut. */
const SKIP = CHUNK_MIN_SIZE - WINDOW;
const SPLIT_MASK = 0xfffff; // (1 << 20) - 1: about 1 MiB on average above the minimum
/** The digest's top byte must be defined; restic's chunker panics below degree 8. */
const MIN_DEGREE = 8;
const NO_CUTS: readonly number[] = Object.freeze([]);

/*
 * The digest update. restic slides byte o out and byte b in as
 *   D ← ((D ⊕ out[o]) · x⁸ + b) mod P,
 * and because everything is linear and D is always the canonical residue, that equals
 *   D ← ((D << 8) | b) ⊕ mod[D >> (k−8)] ⊕ out8[o]      with out8[o] = o · x^(8·64) mod P,
 * where mod[t] = (t·x^k mod P) | t·x^k clears the byte pushed above bit k and adds its residue.
 * The table lookup on D's top byte is then the only step on the loop-carried dependency chain.
 */

/** The tables for one polynomial: 32-bit halves for the JavaScript loop, a 64-bit image for WebAssembly. */
interface Tables {
  readonly degree: number;
  readonly outHi: Int32Array;
  readonly outLo: Int32Array;
  readonly modHi: Int32Array;
  readonly modLo: Int32Array;
  /** out8 then mod as little-endian uint64s: the first 4 KiB of the kernel's memory. */
  readonly image: Uint8Array;
}

const TABLE_CACHE_LIMIT = 16;
const tableCache = new Map<Polynomial, Tables>();

function tablesFor(pol: Polynomial): Tables {
  const hit = tableCache.get(pol);
  if (hit !== undefined) return hit;
  const k = polynomialDegree(pol);
  const t: Tables = {
    degree: k,
    outHi: new Int32Array(256),
    outLo: new Int32Array(256),
    modHi: new Int32Array(256),
    modLo: new Int32Array(256),
    image: new Uint8Array(2 * 256 * 8),
  };
  // Both tables are linear in their index: divide only for the eight single bits, XOR the rest.
  const outBits: bigint[] = [];
  const modBits: bigint[] = [];
  for (let j = 0; j < 8; j++) {
    outBits.push(polynomialMod(1n << BigInt(j + 8 * WINDOW), pol));
    modBits.push(polynomialMod(1n << BigInt(j + k), pol) | (1n << BigInt(j + k)));
  }
  const image = new DataView(t.image.buffer);
  for (let b = 0; b < 256; b++) {
    let out = 0n;
    let mod = 0n;
    for (let j = 0; j < 8; j++) {
      if ((b >> j) & 1) {
        out ^= outBits[j]!;
        mod ^= modBits[j]!;
      }
    }
    t.outHi[b] = Number(out >> 32n);
    t.outLo[b] = Number(BigInt.asIntN(32, out));
    t.modHi[b] = Number(mod >> 32n);
    t.modLo[b] = Number(BigInt.asIntN(32, mod));
    image.setBigUint64(8 * b, out, true);
    image.setBigUint64(8 * (256 + b), mod, true);
  }
  if (tableCache.size >= TABLE_CACHE_LIMIT) tableCache.delete(tableCache.keys().next().value!);
  tableCache.set(pol, t);
  return t;
}

/*
 * The WebAssembly kernel: native 64-bit XOR and shifts, no bounds checks, and two independent
 * lanes so the CPU overlaps their dependency chains (about 2.5× the JavaScript loop). Memory:
 *   [0, 2048) out8 · [2048, 4096) mod · 4096 digest slot 0 · 4104 digest slot 1 · DATA… bytes.
 * Bytes are staged into DATA (with the 64 bytes before them); a lane pointer q names the byte
 * leaving the window, q+64 the byte entering. Exports (shift = degree − 8):
 *   fp(q, slot, shift)           slot ← fingerprint of the 64 bytes at q
 *   roll(q, end, shift) → q'     slide with slot 0 until end or just after a split point
 *   roll2(q, end, shift) → q'    the same with two lanes, at q (slot 0) and q + LANE (slot 1),
 *                                stopping just after either lane hits a split point
 */
const MOD = 2048;
const SLOT0 = 4096;
const SLOT1 = 4104;
const DATA = 4160;
const LANE = 32 * 1024;
/** Below this many bytes the staging copy and calls cost more than the JavaScript loop. */
const WASM_MIN_BYTES = 1024;

function assembleKernel(): Uint8Array<ArrayBuffer> {
  const uleb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...uleb(n >>> 7)]);
  const sleb = (n: number): number[] => (n < 0x40 ? [n] : [(n & 0x7f) | 0x80, ...sleb(n >>> 7)]); // n ≥ 0
  const [I32, I64, VOID] = [0x7f, 0x7e, 0x40];
  const [BLOCK, LOOP, BR, BR_IF, END, GET, SET] = [0x02, 0x03, 0x0c, 0x0d, 0x0b, 0x20, 0x21];
  const [I32_CONST, I64_CONST, LOAD8_U, I64_LOAD, I64_STORE] = [0x41, 0x42, 0x2d, 0x29, 0x37];
  const [I32_ADD, I32_GE_U, I32_SHL, I32_OR, WRAP, EXTEND_U] = [0x6a, 0x4f, 0x74, 0x72, 0xa7, 0xad];
  const [EQZ, AND, OR, XOR, SHL, SHR_U] = [0x50, 0x83, 0x84, 0x85, 0x86, 0x88];
  // d ← ((d << 8) | mem[p+inOff]) ⊕ out8[mem[p+outOff]] ⊕ mod[d >> s]; outOff < 0: nothing slides out
  const step = (p: number, d: number, s: number, inOff: number, outOff: number): number[] => [
    GET, d, I64_CONST, 8, SHL, GET, p, LOAD8_U, 0, ...uleb(inOff), EXTEND_U, OR,
    ...(outOff >= 0 ? [GET, p, LOAD8_U, 0, ...uleb(outOff), I32_CONST, 3, I32_SHL, I64_LOAD, 3, 0, XOR] : []),
    GET, d, GET, s, SHR_U, WRAP, I32_CONST, 3, I32_SHL, I64_LOAD, 3, ...uleb(MOD), XOR, SET, d,
  ];
  const inc = (l: number): number[] => [GET, l, I32_CONST, 1, I32_ADD, SET, l];
  const isSplit = (d: number): number[] => [GET, d, I64_CONST, ...sleb(SPLIT_MASK), AND, EQZ];
  const slot = (addr: number, op: number): number[] => [op, 3, ...uleb(addr)];
  const loop = (exitIf: number[], body: number[]): number[] =>
    [BLOCK, VOID, LOOP, VOID, ...exitIf, BR_IF, 1, ...body, BR, 0, END, END];
  // fp(q=0, slot=1, shift=2; d=3, s=4 : i64; end=5 : i32)
  const fp = [2, 2, I64, 1, I32, GET, 2, EXTEND_U, SET, 4, GET, 0, I32_CONST, ...sleb(WINDOW), I32_ADD, SET, 5,
    ...loop([GET, 0, GET, 5, I32_GE_U], [...step(0, 3, 4, 0, -1), ...inc(0)]),
    GET, 1, GET, 3, I64_STORE, 3, 0, END];
  // roll(q=0, end=1, shift=2; d=3, s=4 : i64) → q
  const roll = [1, 2, I64, GET, 2, EXTEND_U, SET, 4, I32_CONST, 0, ...slot(SLOT0, I64_LOAD), SET, 3,
    ...loop([GET, 0, GET, 1, I32_GE_U], [...step(0, 3, 4, WINDOW, 0), ...inc(0), ...isSplit(3), BR_IF, 1]),
    I32_CONST, 0, GET, 3, ...slot(SLOT0, I64_STORE), GET, 0, END];
  // roll2(q=0, end=1, shift=2; d0=3, d1=4, s=5 : i64) → q; the second lane reads at q + LANE
  const roll2 = [1, 3, I64, GET, 2, EXTEND_U, SET, 5,
    I32_CONST, 0, ...slot(SLOT0, I64_LOAD), SET, 3, I32_CONST, 0, ...slot(SLOT1, I64_LOAD), SET, 4,
    ...loop([GET, 0, GET, 1, I32_GE_U], [...step(0, 3, 5, WINDOW, 0), ...step(0, 4, 5, LANE + WINDOW, LANE),
      ...inc(0), ...isSplit(3), ...isSplit(4), I32_OR, BR_IF, 1]),
    I32_CONST, 0, GET, 3, ...slot(SLOT0, I64_STORE), I32_CONST, 0, GET, 4, ...slot(SLOT1, I64_STORE), GET, 0, END];
  const section = (id: number, items: number[][]): number[] => {
    const body = [...uleb(items.length), ...items.flat()];
    return [id, ...uleb(body.length), ...body];
  };
  const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [[0x60, 3, I32, I32, I32, 1, I32], [0x60, 3, I32, I32, I32, 0]]),
    ...section(3, [[0], [0], [1]]),
    ...section(5, [[0x00, 2]]), // one memory, 2 pages (128 KiB) fixed
    ...section(7, [[...name('roll'), 0, 0], [...name('roll2'), 0, 1], [...name('fp'), 0, 2], [...name('mem'), 2, 0]]),
    ...section(10, [roll, roll2, fp].map((f) => [...uleb(f.length), ...f])),
  ]);
}

interface Kernel {
  readonly roll: (q: number, end: number, shift: number) => number;
  readonly roll2: (q: number, end: number, shift: number) => number;
  readonly fp: (q: number, slot: number, shift: number) => void;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

let kernelModule: WebAssembly.Module | null | undefined;

/** A kernel instance loaded with the tables, or undefined where WebAssembly is off (node --jitless). */
function newKernel(t: Tables): Kernel | undefined {
  if (kernelModule === undefined) {
    try {
      kernelModule = new WebAssembly.Module(assembleKernel());
    } catch {
      kernelModule = null;
    }
  }
  if (kernelModule === null) return undefined;
  const e = new WebAssembly.Instance(kernelModule).exports as unknown as Omit<Kernel, 'bytes' | 'view'> & {
    mem: WebAssembly.Memory;
  };
  const bytes = new Uint8Array(e.mem.buffer);
  bytes.set(t.image, 0);
  return { roll: e.roll, roll2: e.roll2, fp: e.fp, bytes, view: new DataView(e.mem.buffer) };
}

/** `useWasm: false` forces the JavaScript loop (tests compare both; the result is identical). */
export interface ChunkerOptions {
  readonly useWasm?: boolean;
}

/**
 * restic's content-defined chunker (Rabin fingerprint over a 64-byte window), bit-exact, as a
 * synchronous push parser: feed buffers in order with `push`, which reports where chunks end
 * inside that buffer. The caller keeps the bytes; the chunker never holds or returns them (it
 * only stages the bytes it hashes through a fixed 64 KiB scratch area of its WebAssembly kernel).
 * Call `finish` at the end of input. No I/O and no timers, so it can run on a worker thread.
 *
 * Same cuts as restic, computed a little differently: the first MinSize−64 bytes of a chunk are
 * skipped without hashing (as restic does); the next 64 are hashed from a zero digest, since
 * restic's synthetic 0x01 has cancelled out exactly by then and the digest is the plain
 * fingerprint of the window; after that each byte slides in as the byte 64 earlier slides out.
 */
export class Chunker {
  readonly polynomial: Polynomial;
  readonly #t: Tables;
  readonly #kernel: Kernel | undefined;
  /** Shift counts that extract the digest's top byte: hi >>> hs when degree ≥ 40, else from both halves. */
  readonly #hs: number;
  readonly #ls: number;
  readonly #rs: number;
  /** Bytes of the current chunk seen so far. */
  #n = 0;
  /** Digest bits 32…52 and 0…31 (the low half as an int32). */
  #hi = 0;
  #lo = 0;
  /** The 64 stream bytes just before the next buffer: the outgoing bytes for its first 64. */
  readonly #tail = new Uint8Array(WINDOW);

  constructor(polynomial: Polynomial, options: ChunkerOptions = {}) {
    const deg = polynomial >= 0n && polynomial < 1n << 64n ? polynomialDegree(polynomial) : -1;
    if (deg < MIN_DEGREE || deg > MAX_POLYNOMIAL_DEGREE) {
      throw new LifeboatError(
        'INVALID_ARGUMENT',
        `chunker polynomial must have a degree from ${MIN_DEGREE} to ${MAX_POLYNOMIAL_DEGREE}, got ${deg}`,
      );
    }
    this.polynomial = polynomial;
    this.#t = tablesFor(polynomial);
    this.#kernel = options.useWasm === false ? undefined : newKernel(this.#t);
    this.#hs = deg >= 40 ? deg - 40 : 0;
    this.#ls = deg >= 40 ? 0 : 40 - deg;
    this.#rs = deg >= 40 ? 0 : deg - 8;
  }

  /**
   * Consumes the next input buffer and returns the end offsets (exclusive, within `buf`) of the
   * chunks that end inside it, in order; usually none. A chunk may have started in an earlier
   * buffer. If `digests` is given, the fingerprint at each cut is appended to it (restic's `Cut`).
   */
  push(buf: Uint8Array, digests?: bigint[]): readonly number[] {
    const len = buf.length;
    let cuts: number[] | undefined;
    let n = this.#n;
    let i = 0;
    while (i < len) {
      if (n < SKIP) {
        const step = Math.min(SKIP - n, len - i);
        i += step;
        n += step;
        if (i === len) break;
      }
      const start = i;
      if (n < CHUNK_MIN_SIZE) {
        i = this.#warm(buf, i, Math.min(len, i + (CHUNK_MIN_SIZE - n)));
        n += i - start;
        if (n < CHUNK_MIN_SIZE) break;
      } else {
        const end = Math.min(len, i + (CHUNK_MAX_SIZE - n));
        i = this.#kernel !== undefined && end - i >= WASM_MIN_BYTES ? this.#rollWasm(buf, i, end) : this.#roll(buf, i, end);
        n += i - start;
      }
      if ((this.#lo & SPLIT_MASK) === 0 || n === CHUNK_MAX_SIZE) {
        (cuts ??= []).push(i);
        digests?.push((BigInt(this.#hi >>> 0) << 32n) | BigInt(this.#lo >>> 0));
        n = 0;
        this.#hi = 0;
        this.#lo = 0;
      }
    }
    this.#n = n;
    this.#keepTail(buf);
    return cuts ?? NO_CUTS;
  }

  /**
   * Bytes that the chunker would pass over here without hashing them (at the start of a chunk,
   * up to MinSize − 64): a reader may `skip` them instead of reading and pushing them.
   */
  get skippable(): number {
    return Math.max(0, SKIP - this.#n);
  }

  /** Counts `n` bytes of the stream as passed over (at most `skippable`), as `push` would. */
  skip(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.skippable) throw new LifeboatError('INVALID_ARGUMENT', `cannot skip ${n} bytes; ${this.skippable} may be skipped here`);
    this.#n += n;
  }

  /**
   * Ends the input. Returns the length of the final chunk (the bytes after the last cut, possibly
   * shorter than the minimum; 0 when there are none) and resets, ready for another stream.
   */
  finish(): number {
    const rest = this.#n;
    this.#n = 0;
    this.#hi = 0;
    this.#lo = 0;
    return rest;
  }

  /** Hashes buf[i, end) into a window that is still filling: nothing slides out yet. */
  #warm(buf: Uint8Array, i: number, end: number): number {
    const { modHi, modLo } = this.#t;
    const [hs, ls, rs] = [this.#hs, this.#ls, this.#rs];
    let hi = this.#hi;
    let lo = this.#lo;
    for (; i < end; i++) {
      const idx = ls === 0 ? hi >>> hs : ((hi << ls) | (lo >>> rs)) & 0xff;
      hi = ((hi << 8) | (lo >>> 24)) ^ modHi[idx]!;
      lo = ((lo << 8) | buf[i]!) ^ modLo[idx]!;
    }
    this.#hi = hi;
    this.#lo = lo;
    return end;
  }

  /** The JavaScript loop: slides buf[i, end) and stops just after the first split point. */
  #roll(buf: Uint8Array, i: number, end: number): number {
    const { outHi, outLo, modHi, modLo } = this.#t;
    const [hs, ls, rs] = [this.#hs, this.#ls, this.#rs];
    const tail = this.#tail;
    let hi = this.#hi;
    let lo = this.#lo;
    // The first 64 bytes of a buffer find their outgoing byte in the previous buffers.
    for (const headEnd = Math.min(end, WINDOW); i < headEnd; ) {
      const o = tail[i]!;
      const idx = ls === 0 ? hi >>> hs : ((hi << ls) | (lo >>> rs)) & 0xff;
      hi = ((hi << 8) | (lo >>> 24)) ^ outHi[o]! ^ modHi[idx]!;
      lo = ((lo << 8) | buf[i]!) ^ outLo[o]! ^ modLo[idx]!;
      i++;
      if ((lo & SPLIT_MASK) === 0) return this.#keepDigest(hi, lo, i);
    }
    while (i < end) {
      const o = buf[i - WINDOW]!;
      const idx = ls === 0 ? hi >>> hs : ((hi << ls) | (lo >>> rs)) & 0xff;
      hi = ((hi << 8) | (lo >>> 24)) ^ outHi[o]! ^ modHi[idx]!;
      lo = ((lo << 8) | buf[i]!) ^ outLo[o]! ^ modLo[idx]!;
      i++;
      if ((lo & SPLIT_MASK) === 0) break;
    }
    return this.#keepDigest(hi, lo, i);
  }

  #keepDigest(hi: number, lo: number, i: number): number {
    this.#hi = hi;
    this.#lo = lo;
    return i;
  }

  /**
   * The WebAssembly path, same contract as #roll. Each 64 KiB block runs as two lanes of 32 KiB;
   * the second lane starts from the fingerprint of the 64 bytes before it, which is exactly the
   * digest the first lane will reach there. If the second lane hits a split point first, the first
   * lane finishes alone, since an earlier cut in it would win.
   */
  #rollWasm(buf: Uint8Array, i: number, end: number): number {
    const k = this.#kernel!;
    const shift = this.#t.degree - 8;
    this.#setSlot(SLOT0, this.#hi, this.#lo);
    while (i < end) {
      if (end - i >= 2 * LANE) {
        this.#stage(buf, i, 2 * LANE);
        k.fp(DATA + LANE, SLOT1, shift);
        const t = k.roll2(DATA, DATA + LANE, shift) - DATA;
        if (this.#splitAt(SLOT0)) {
          i += t;
          break;
        }
        const [hi1, lo1] = [k.view.getInt32(SLOT1 + 4, true), k.view.getInt32(SLOT1, true)];
        if (this.#splitAt(SLOT1)) {
          const q = k.roll(DATA + t, DATA + LANE, shift);
          if (this.#splitAt(SLOT0)) {
            i += q - DATA;
          } else {
            i += LANE + t;
            this.#setSlot(SLOT0, hi1, lo1);
          }
          break;
        }
        this.#setSlot(SLOT0, hi1, lo1);
        i += 2 * LANE;
      } else {
        this.#stage(buf, i, end - i);
        i += k.roll(DATA, DATA + (end - i), shift) - DATA;
        if (this.#splitAt(SLOT0)) break;
      }
    }
    this.#hi = k.view.getInt32(SLOT0 + 4, true);
    this.#lo = k.view.getInt32(SLOT0, true);
    return i;
  }

  /** Copies stream bytes [i − 64, i + count) to DATA; the first 64 may come from earlier buffers. */
  #stage(buf: Uint8Array, i: number, count: number): void {
    const bytes = this.#kernel!.bytes;
    if (i >= WINDOW) {
      bytes.set(buf.subarray(i - WINDOW, i + count), DATA);
    } else {
      bytes.set(this.#tail.subarray(i), DATA);
      bytes.set(buf.subarray(0, i + count), DATA + WINDOW - i);
    }
  }

  #splitAt(slot: number): boolean {
    return (this.#kernel!.view.getInt32(slot, true) & SPLIT_MASK) === 0;
  }

  #setSlot(slot: number, hi: number, lo: number): void {
    this.#kernel!.view.setInt32(slot, lo, true);
    this.#kernel!.view.setInt32(slot + 4, hi, true);
  }

  #keepTail(buf: Uint8Array): void {
    const len = buf.length;
    if (len >= WINDOW) {
      this.#tail.set(buf.subarray(len - WINDOW));
    } else {
      this.#tail.copyWithin(0, len);
      this.#tail.set(buf, WINDOW - len);
    }
  }
}

/**
 * Splits a byte stream into restic's chunks, each one contiguous Uint8Array. A chunk that lies
 * within one input buffer is a view of it (no copy); only chunks spanning buffers are assembled.
 * So the source must hand over fresh buffers and not reuse them once yielded (Node's fs streams
 * and the sources in this project don't). Empty input yields nothing.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  pol: Polynomial,
  options: ChunkerOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const chunker = new Chunker(pol, options);
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  for await (const buf of source) {
    let start = 0;
    for (const end of chunker.push(buf)) {
      const piece = buf.subarray(start, end);
      start = end;
      if (pendingLength === 0) {
        yield piece;
      } else {
        yield concat(pending, piece, pendingLength + piece.length);
        pending = [];
        pendingLength = 0;
      }
    }
    if (start < buf.length) {
      pending.push(buf.subarray(start));
      pendingLength += buf.length - start;
    }
  }
  chunker.finish();
  if (pendingLength > 0) yield pending.length === 1 ? pending[0]! : concat(pending, undefined, pendingLength);
}

function concat(parts: readonly Uint8Array[], last: Uint8Array | undefined, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of last === undefined ? parts : [...parts, last]) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
