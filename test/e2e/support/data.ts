// Fast, reproducible test data: AES-CTR keystream (incompressible) mixed with text.
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';

const MiB = 1024 * 1024;
const ZEROS = Buffer.alloc(MiB);

/** A stream of pseudo-random bytes determined by `seed` (about 1-2 GB/s). */
export class RandomStream {
  private readonly cipher;
  constructor(seed: string) {
    const k = createHash('sha256').update(seed).digest();
    this.cipher = createCipheriv('aes-256-ctr', k, k.subarray(0, 16));
  }
  next(n: number): Buffer {
    if (n <= MiB) return this.cipher.update(ZEROS.subarray(0, n));
    const parts: Buffer[] = [];
    for (let left = n; left > 0; left -= MiB) parts.push(this.cipher.update(ZEROS.subarray(0, Math.min(left, MiB))));
    return Buffer.concat(parts);
  }
}

/**
 * Writes `size` bytes to `path`: random, except every `textEvery`-th MiB, which is
 * compressible text (0 for none), so zstd has something to do.
 */
export function writeDataFile(path: string | Buffer, size: number, seed: string, textEvery = 0): void {
  const rnd = new RandomStream(seed);
  const fd = openSync(path, 'w');
  try {
    let i = 0;
    for (let off = 0; off < size; off += MiB, i++) {
      const n = Math.min(MiB, size - off);
      const block = textEvery > 0 && i % textEvery === textEvery - 1 ? textBlock(n, `${seed}/${i}`) : rnd.next(n);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
}

function textBlock(n: number, tag: string): Buffer {
  const line = `${tag}: the quick brown fox jumps over the lazy dog 0123456789\n`;
  return Buffer.from(line.repeat(Math.ceil(n / line.length))).subarray(0, n);
}

/**
 * Sets atime and mtime with nanoseconds (Node's utimes goes through a double and loses
 * them) for many paths in one shell, with `touch -h` (symlinks themselves). Paths are raw
 * bytes, passed to the shell as octal escapes, so any name works.
 */
export function setTimesNs(entries: readonly { path: Buffer; time: string }[]): void {
  if (entries.length === 0) return;
  const lines = entries.map(({ path, time }) => {
    assert.match(time, /^-?\d+(\.\d{1,9})?$/);
    const oct = [...path].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
    // "x" keeps a trailing newline in the name from being eaten by $( ).
    return `p=$(printf '${oct}x'); touch -h -d @${time} -- "\${p%x}" || exit 1`;
  });
  const r = spawnSync('/bin/sh', ['-c', lines.join('\n')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `setting times failed: ${r.stderr}`);
}
