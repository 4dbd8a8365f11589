import zstd from 'zstd-napi';
import { LifeboatError } from '../errors/index.js';

/**
 * zstd as restic v2 uses it: single frames, level 3 by default. One Compressor per
 * thread is reused because creating one costs more than compressing a small blob.
 */
export type CompressionMode = 'auto' | 'max' | 'off';

const compressors = new Map<number, zstd.Compressor>();

function compressorFor(level: number): zstd.Compressor {
  let c = compressors.get(level);
  if (!c) {
    c = new zstd.Compressor();
    // zstd-napi ignores the level unless it is set through setParameters.
    c.setParameters({ compressionLevel: level });
    compressors.set(level, c);
  }
  return c;
}

export function compress(data: Uint8Array, mode: CompressionMode = 'auto'): Uint8Array {
  return compressorFor(mode === 'max' ? 19 : 3).compress(data);
}

export function decompress(frame: Uint8Array, expectedLength?: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = zstd.decompress(frame);
  } catch (e) {
    throw new LifeboatError('INVALID_DATA', `zstd data is corrupt: ${(e as Error).message}`, { cause: e });
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LifeboatError('INVALID_DATA', `zstd data decompressed to ${out.length} bytes, expected ${expectedLength}`);
  }
  return out;
}
