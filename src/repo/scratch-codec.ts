import { createHash, type Hash } from 'node:crypto';
import zstd from 'zstd-napi/binding.js';
import type { MasterKey } from '../crypto/index.js';
// Named modules, not the crypto and model barrels: this file runs on the worker threads too,
// and each thread loads what it imports (see blob-worker.ts).
import { CIPHER_OVERHEAD, IV_BYTES, openInPlace, openInto, plaintextLength, SealedStream, sealInPlace, sealInto, sealedLength } from '../crypto/authenticated-cipher.js';
import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { SealedBlob } from './blob-codec.js';
import { compressionLevel, type CompressionMode } from './compression.js';

/**
 * Seals and opens blobs like `sealBlob`/`openBlob`, but through buffers kept from one call
 * to the next: compression goes into a reused scratch buffer and is sealed straight into an
 * output of exactly the right size; opening decrypts and decompresses into scratch too. A
 * worker thread handling thousands of blobs a second then makes almost no garbage, which is
 * what otherwise piles up between collections and shows as resident memory. One per thread.
 */
export class ScratchCodec {
  private readonly cctx = new Map<number, zstd.CCtx>();
  private dctx: zstd.DCtx | undefined;
  private zbuf: Uint8Array = new Uint8Array(0);
  private pbuf: Uint8Array = new Uint8Array(0);
  private obuf: Uint8Array = new Uint8Array(0);
  /** Output of streamed decompression (`streamCheck`). */
  private sbuf: Uint8Array = new Uint8Array(0);

  constructor(private readonly key: MasterKey) {}

  /** Same result as `sealBlob`; `sealed` is a fresh buffer of its own (transferable as is). */
  seal(id: Id, plain: Uint8Array, mode: CompressionMode, isTree: boolean): SealedBlob {
    if ((mode !== 'off' || isTree) && plain.length > 0) {
      const bound = zstd.compressBound(plain.length);
      if (this.zbuf.length < bound) this.zbuf = allocate(bound);
      const n = this.compressor(compressionLevel(mode, plain.length)).compress2(this.zbuf, plain);
      if (isTree || n < plain.length) {
        return { id, sealed: sealInto(this.key, this.zbuf.subarray(0, n), allocate(sealedLength(n))), uncompressedLength: plain.length };
      }
    }
    return { id, sealed: sealInto(this.key, plain, allocate(sealedLength(plain.length))), uncompressedLength: 0 };
  }

  /**
   * Seals without a buffer of its own: `box` is the plaintext with room for the IV before it
   * and the MAC after it (`box[IV_BYTES, box.length - MAC_BYTES)`), and is overwritten. The
   * result is a view of `box` (stored raw) or of the compression scratch, valid until the next
   * call: write it out before sealing the next blob.
   */
  sealBoxed(box: Uint8Array, mode: CompressionMode): { readonly sealed: Uint8Array; readonly uncompressedLength: number } {
    const n = box.length - CIPHER_OVERHEAD;
    if (mode !== 'off' && n > 0) {
      const plain = box.subarray(IV_BYTES, IV_BYTES + n);
      const bound = zstd.compressBound(n);
      if (this.zbuf.length < bound + CIPHER_OVERHEAD) this.zbuf = allocate(bound + CIPHER_OVERHEAD);
      const z = this.compressor(compressionLevel(mode, n)).compress2(this.zbuf.subarray(IV_BYTES, IV_BYTES + bound), plain);
      if (z < n) return { sealed: sealInPlace(this.key, this.zbuf, z), uncompressedLength: n };
    }
    return { sealed: sealInPlace(this.key, box, n), uncompressedLength: 0 };
  }

  /**
   * Decrypts, decompresses and verifies a stored blob against its ID. The result is a view
   * of scratch memory, valid until the next `open`: copy it to keep it.
   */
  open(id: Id, sealed: Uint8Array, uncompressedLength: number): Uint8Array {
    const n = plaintextLength(sealed.length);
    if (this.pbuf.length < n) this.pbuf = allocate(Math.max(n, 64 * 1024));
    return this.inflateAndVerify(id, openInto(this.key, sealed, this.pbuf), uncompressedLength);
  }

  /**
   * Like `open`, but decrypts inside `sealed`, which it overwrites: for a reader that owns
   * the bytes and is done with them after this (a restore span, a pack piece already
   * hashed). Spares a scratch buffer the size of the largest blob.
   */
  openOwned(id: Id, sealed: Uint8Array, uncompressedLength: number): Uint8Array {
    return this.inflateAndVerify(id, openInPlace(this.key, sealed), uncompressedLength);
  }

  /**
   * Checks a stored blob read in consecutive parts (each part's start, after the first, a
   * multiple of 16 bytes into the blob): it is decrypted part by part where it lies, and
   * decompressed through a small buffer, so no buffer of the blob's size is needed besides
   * zstd's own window. `push` takes the parts (overwriting them); `end` says whether the MAC,
   * the decompressed length and the ID all match. One check at a time per codec.
   */
  streamCheck(id: Id, sealedLength: number, uncompressedLength: number): { push(part: Uint8Array): void; end(): boolean } {
    const sealed = new SealedStream(this.key, sealedLength);
    const hash = createHash('sha256');
    if (uncompressedLength === 0) {
      return { push: (part) => void hash.update(sealed.push(part)), end: () => sealed.end() && hash.digest('hex') === id };
    }
    this.dctx ??= new zstd.DCtx();
    this.dctx.reset(zstd.ResetDirective.sessionOnly);
    if (this.sbuf.length === 0) this.sbuf = allocate(STREAM_OUT);
    let produced = 0;
    let frameDone = false;
    let broken = false;
    const inflate = (text: Uint8Array) => {
      for (let at = 0; at < text.length || !frameDone; ) {
        const [left, out, used] = this.dctx!.decompressStream(this.sbuf, text.subarray(at));
        hashOut(hash, this.sbuf, out);
        produced += out;
        at += used;
        frameDone = left === 0;
        if (out === 0 && used === 0) break; // wants more input
      }
    };
    return {
      push: (part) => {
        if (broken) return;
        try {
          inflate(sealed.push(part));
        } catch {
          broken = true; // damaged: the MAC will not match either
        }
      },
      end: () => sealed.end() && !broken && frameDone && produced === uncompressedLength && hash.digest('hex') === id,
    };
  }

  private inflateAndVerify(id: Id, payload: Uint8Array, uncompressedLength: number): Uint8Array {
    let plain = payload;
    if (uncompressedLength > 0) {
      if (this.obuf.length < uncompressedLength) this.obuf = allocate(Math.max(uncompressedLength, 64 * 1024));
      let got: number;
      try {
        this.dctx ??= new zstd.DCtx();
        got = this.dctx.decompress(this.obuf.subarray(0, uncompressedLength), payload);
      } catch (e) {
        throw new LifeboatError('INVALID_DATA', `zstd data is corrupt: ${(e as Error).message}`, { cause: e });
      }
      if (got !== uncompressedLength) throw new LifeboatError('INVALID_DATA', `zstd data decompressed to ${got} bytes, expected ${uncompressedLength}`);
      plain = this.obuf.subarray(0, got);
    }
    const actual = createHash('sha256').update(plain).digest('hex');
    if (actual !== id) {
      throw new LifeboatError('HASH_MISMATCH', `blob ${id.slice(0, 8)} is corrupt: its content hashes to ${actual.slice(0, 8)}`, { data: { blobId: id } });
    }
    return plain;
  }

  private compressor(level: number): zstd.CCtx {
    let c = this.cctx.get(level);
    if (!c) {
      c = new zstd.CCtx();
      c.setParameter(zstd.CParameter.compressionLevel, level);
      this.cctx.set(level, c);
    }
    return c;
  }
}

const STREAM_OUT = 256 * 1024;

function hashOut(hash: Hash, buf: Uint8Array, n: number): void {
  if (n > 0) hash.update(buf.subarray(0, n));
}

function allocate(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
