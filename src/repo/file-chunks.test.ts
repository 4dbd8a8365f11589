import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Chunker, CHUNK_MAX_SIZE, CHUNK_MIN_SIZE } from './index.js';
import { pseudoRandom, sha256 } from '../repo/repo-fixtures.test-util.js';
import { readFileChunks } from './file-chunks.js';

const POL = 0x3da3358b4dc173n;
const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-file-chunks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function tempFile(data: Uint8Array): string {
  const p = join(dir, `f${fileNo++}`);
  writeFileSync(p, data);
  return p;
}

/** Chunk lengths when the whole input is pushed into a fresh chunker at once. */
function referenceLengths(data: Uint8Array): number[] {
  const c = new Chunker(POL);
  const lengths: number[] = [];
  let last = 0;
  for (const end of c.push(data)) {
    lengths.push(end - last);
    last = end;
  }
  const rest = c.finish();
  assert.equal(rest, data.length - last);
  if (rest > 0) lengths.push(rest);
  return lengths;
}

/** Runs the generator to the end, returning the chunks and its return value. */
function readAll(path: string, chunker: Chunker, sizeHint: number): { chunks: Uint8Array[]; total: number } {
  const gen = readFileChunks(path, chunker, sizeHint);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const r = gen.next();
    if (r.done) return { chunks, total: r.value };
    chunks.push(r.value);
  }
}

function checkFile(data: Uint8Array, sizeHint: number, chunker = new Chunker(POL)): void {
  const path = tempFile(data);
  const { chunks, total } = readAll(path, chunker, sizeHint);
  assert.equal(total, data.length, 'returns the bytes read');
  assert.deepEqual(chunks.map((c) => c.length), referenceLengths(data), 'same boundaries as the chunker fed the whole file');
  assert.ok(chunks.every((c) => c.length > 0), 'no empty chunks');
  // content: compare hashes of the pieces against the same slices of the file
  let off = 0;
  for (const c of chunks) {
    if (sha256(c) !== sha256(data.subarray(off, off + c.length))) assert.fail(`chunk at ${off} (${c.length} bytes) differs from the file`);
    off += c.length;
  }
  assert.equal(off, data.length, 'the concatenation is the whole file');
}

describe('readFileChunks', () => {
  const sizes: [string, number][] = [
    ['empty', 0],
    ['1 byte', 1],
    ['MinSize − 1', CHUNK_MIN_SIZE - 1],
    ['MinSize', CHUNK_MIN_SIZE],
    ['MinSize + 1', CHUNK_MIN_SIZE + 1],
    ['2 MiB + 3', 2 * MiB + 3],
  ];
  for (const [name, size] of sizes) {
    test(`${name} (${size} bytes), exact size hint`, () => checkFile(pseudoRandom(name, size), size));
  }

  test('empty file yields nothing and returns 0', () => {
    const { chunks, total } = readAll(tempFile(new Uint8Array(0)), new Chunker(POL), 0);
    assert.deepEqual(chunks, []);
    assert.equal(total, 0);
  });

  test('a small file is one chunk holding the whole file', () => {
    const data = pseudoRandom('one', 1000);
    const { chunks } = readAll(tempFile(data), new Chunker(POL), 1000);
    assert.equal(chunks.length, 1);
    assert.equal(sha256(chunks[0]!), sha256(data));
  });

  test('20 MiB of random data: several content-defined chunks across scan windows', () => {
    const data = pseudoRandom('twenty', 20 * MiB);
    const lengths = referenceLengths(data);
    assert.ok(lengths.length >= 5, `expected several chunks, got ${lengths.length}`);
    checkFile(data, data.length);
  });

  test('a constant 9 MiB file is cut at exactly MaxSize, on a scan window boundary', () => {
    const data = new Uint8Array(9 * MiB).fill(0x61);
    const lengths = referenceLengths(data);
    assert.equal(lengths[0], CHUNK_MAX_SIZE);
    checkFile(data, data.length);
  });

  test('zeros cut at every MinSize (fingerprint 0), also across reads', () => {
    const data = new Uint8Array(4 * CHUNK_MIN_SIZE + 10);
    assert.deepEqual(referenceLengths(data), [CHUNK_MIN_SIZE, CHUNK_MIN_SIZE, CHUNK_MIN_SIZE, CHUNK_MIN_SIZE, 10]);
    checkFile(data, data.length);
  });

  test('a file that grew after the size hint still comes back whole', () => {
    checkFile(pseudoRandom('grew-small', 100), 50); // still below MinSize
    checkFile(pseudoRandom('grew-one', 11), 10); // exactly one byte more
    checkFile(pseudoRandom('grew-past-min', CHUNK_MIN_SIZE + 5000), 10); // now above MinSize
    checkFile(pseudoRandom('grew-from-zero', 3 * MiB), 0);
    checkFile(pseudoRandom('grew-large', 9 * MiB + 7), CHUNK_MIN_SIZE); // large hint, larger file
  });

  test('a file that shrank after the size hint comes back as it is now', () => {
    checkFile(pseudoRandom('shrank-small', 10), 1000);
    checkFile(pseudoRandom('shrank-to-small', 100), 5 * MiB);
    checkFile(new Uint8Array(0), 300);
  });

  test('the chunker is left clean: one chunker serves many files in a row', () => {
    const chunker = new Chunker(POL);
    for (const [i, size] of [CHUNK_MIN_SIZE + 100, 3 * MiB, 10, 0, 2 * MiB].entries()) checkFile(pseudoRandom(`row ${i}`, size), size, chunker);
  });

  test('the chunker is left clean even when the caller stops early', () => {
    const chunker = new Chunker(POL);
    const data = pseudoRandom('early', 3 * MiB);
    const gen = readFileChunks(tempFile(data), chunker, data.length);
    assert.equal(gen.next().done, false);
    gen.return(0); // runs the generator's finally
    checkFile(pseudoRandom('after-early', 2 * MiB), 2 * MiB, chunker);
  });

  test('bytes appended while the generator is suspended are read too, and chunked like a whole file', () => {
    // leading zeros force a cut at MinSize, so the generator suspends before reaching the end
    const data = Buffer.concat([new Uint8Array(CHUNK_MIN_SIZE + 1000), pseudoRandom('append', 2 * MiB)]);
    const extra = pseudoRandom('appended', 1000);
    const path = tempFile(data);
    const gen = readFileChunks(path, new Chunker(POL), 1000); // hint far too small
    const chunks: Uint8Array[] = [];
    let r = gen.next();
    assert.equal(r.done, false);
    assert.equal(r.value.length, CHUNK_MIN_SIZE);
    appendFileSync(path, extra);
    while (!r.done) {
      chunks.push(r.value);
      r = gen.next();
    }
    const whole = Buffer.concat([data, extra]);
    assert.equal(r.value, whole.length);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(whole));
    assert.deepEqual(chunks.map((c) => c.length), referenceLengths(whole));
  });

  test('a file cut short while the generator is suspended ends where it now ends, with the bytes it now has', () => {
    // Leading zeros force a cut at MinSize; the rest is scanned but not yet read for keeps.
    const data = Buffer.concat([new Uint8Array(CHUNK_MIN_SIZE), pseudoRandom('truncate', 3 * MiB)]);
    const path = tempFile(data);
    const chunker = new Chunker(POL);
    const gen = readFileChunks(path, chunker, data.length);
    const first = gen.next();
    assert.equal(first.done, false);
    assert.equal(first.value!.length, CHUNK_MIN_SIZE);
    const keep = CHUNK_MIN_SIZE + 100_000;
    truncateSync(path, keep);
    const rest: Uint8Array[] = [];
    let r = gen.next();
    while (!r.done) {
      rest.push(r.value);
      r = gen.next();
    }
    assert.equal(r.value, keep, 'returns the bytes the file now has');
    assert.equal(sha256(Buffer.concat([first.value!, ...rest])), sha256(data.subarray(0, keep)));
    checkFile(pseudoRandom('after-truncate', 2 * MiB), 2 * MiB, chunker); // the chunker was left clean
  });

  test('a missing file throws the fs error (ENOENT), not a half-read', () => {
    assert.throws(() => readAll(join(dir, 'does-not-exist'), new Chunker(POL), 10), { code: 'ENOENT' });
  });
});
