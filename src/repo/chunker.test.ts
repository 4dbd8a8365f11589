import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createCipheriv, createHash, hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { CHUNK_MAX_SIZE as MAX, CHUNK_MIN_SIZE as MIN, Chunker, chunkStream, type ChunkerOptions } from './chunker.js';
import { parsePolynomial, polynomialDegree, polynomialMod } from './polynomial.js';

const RESTIC_TEST_POL = 0x3da3358b4dc173n;
const WASM: ChunkerOptions = {};
const JS: ChunkerOptions = { useWasm: false };
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Reproducible pseudo-random bytes (AES-256-CTR keystream keyed by the seed). */
function pseudoRandom(seed: string, length: number): Uint8Array {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** Overwrites 64 bytes with zeros at each offset: a zero window has fingerprint 0, a split point. */
function withZeroWindows(data: Uint8Array, offsets: readonly number[]): Uint8Array {
  for (const o of offsets) data.fill(0, o, Math.min(data.length, o + 64));
  return data;
}

/** Chunk lengths (and cut digests) when `data` is pushed in pieces of the given sizes, cycled. */
function chunkLengths(data: Uint8Array, pol: bigint, opts: ChunkerOptions = {}, pieces: readonly number[] = [data.length || 1]) {
  const chunker = new Chunker(pol, opts);
  const lengths: number[] = [];
  const digests: bigint[] = [];
  let last = 0;
  for (let off = 0, k = 0; off < data.length; k++) {
    const len = Math.min(pieces[k % pieces.length]!, data.length - off);
    for (const end of chunker.push(data.subarray(off, off + len), digests)) {
      lengths.push(off + end - last);
      last = off + end;
    }
    off += len;
  }
  const rest = chunker.finish();
  assert.equal(rest, data.length - last);
  if (rest > 0) lengths.push(rest);
  return { lengths, digests };
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of source) out.push(c);
  return out;
}

function* pieces(data: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  for (let off = 0, k = 0; off < data.length; k++) {
    const len = Math.min(sizes[k % sizes.length]!, data.length - off);
    yield data.subarray(off, off + len);
    off += len;
  }
}

/**
 * restic's algorithm literally as the format notes (§10) state it, in bigint: window ring, reset
 * with slide(0x01), skip MinSize − 64, cut test on every later byte. Slow, so only for short runs.
 */
function referenceLengths(data: Uint8Array, pol: bigint): number[] {
  const k = polynomialDegree(pol);
  const out: bigint[] = [];
  const mod: bigint[] = [];
  for (let b = 0; b < 256; b++) {
    let h = polynomialMod(BigInt(b), pol);
    for (let i = 0; i < 63; i++) h = polynomialMod(h << 8n, pol);
    out.push(h);
    mod.push(polynomialMod(BigInt(b) << BigInt(k), pol) | (BigInt(b) << BigInt(k)));
  }
  const lengths: number[] = [];
  let start = 0;
  while (start < data.length) {
    const window = new Uint8Array(64);
    let wpos = 0;
    let digest = 0n;
    const slide = (b: number): void => {
      const o = window[wpos]!;
      window[wpos] = b;
      wpos = (wpos + 1) % 64;
      digest ^= out[o]!;
      const idx = Number(digest >> BigInt(k - 8));
      digest = ((digest << 8n) | BigInt(b)) ^ mod[idx]!;
    };
    slide(1);
    let n = MIN - 64;
    let cut = -1;
    while (start + n < data.length) {
      slide(data[start + n]!);
      n++;
      if (((digest & 0xfffffn) === 0n || n >= MAX) && n >= MIN) {
        cut = n;
        break;
      }
    }
    const len = cut < 0 ? data.length - start : cut;
    lengths.push(len);
    start += len;
  }
  return lengths;
}

function checkChunkRules(lengths: readonly number[], total: number): void {
  assert.equal(lengths.reduce((a, b) => a + b, 0), total);
  lengths.forEach((len, i) => {
    assert.ok(len <= MAX, `chunk ${i} is ${len} bytes`);
    if (i < lengths.length - 1) assert.ok(len >= MIN, `chunk ${i} is ${len} bytes`);
    else assert.ok(len > 0);
  });
}

/**
 * shared/testdata/chunker-testvector.json: the stream is SHA-256("restic-chunker-test-" + i) for
 * i = 0 … 786431 concatenated (24 MiB), the polynomial 3da3358b4dc173; restic 0.14.0 cut it into
 * these chunks: [length, digest at the cut (none for the last), SHA-256 of the chunk].
 */
const VECTOR_STREAM_SHA256 = '7b8883f80b8854e009b6dbe590666c07e8952459f189ba8f303b413e0a8378dc';
const VECTOR: readonly (readonly [number, bigint | null, string])[] = [
  [1401151, 0xbc9fa98200000n, '2d0ea10abae316dfe576bf1adf39a3dbc8c6bfab6c7ab455b87a89588b253637'],
  [5261481, 0x7c597acb00000n, 'f1ef5e6d842b3a55a0ba0d4451b9e329b3fd7efa349e6c7830846d4dce9a78a7'],
  [3922544, 0x1f7a6e4300000n, 'ceba02383a4b392bf38c7094565cfaa3a230174a49988bbbf994fedb0bd8d640'],
  [1699647, 0x1c474311e00000n, 'de47e5adf43a23d7901d6a0dc70433c3770a47b8adfdae02bf00b364938070c8'],
  [1137560, 0xf2438b2300000n, 'eb8a29779345edbaad8467a53f930fa89b184556cdebe626a67cca9c75a53fec'],
  [1309722, 0xaf4aaf3c00000n, '50c8e35cfc176a3b4550375229c1816db34d8bb7cad74e5068fd34d8b0f1199b'],
  [2229305, 0x1572e2dad00000n, 'a705a46f80b57c9934409bfe40f266ea3a39f3c09d6ae9a7bc26016eed447b14'],
  [644107, 0xf988360800000n, '89acfd1dcbdddf90f763e9e0e3be3f273b492b7a25e48f459d87f328595e10da'],
  [3299913, 0x57e26f7200000n, 'df87f9a0140d76fd4d30c730d8f8b328f1c90bd2bbb8b5d66cdb7032a1ceb6b9'],
  [754461, 0x1a545a7a000000n, 'f89a126d978c4b85a9e030962a1b663497cbe405c5eef2eca30bb524f9ef194f'],
  [633632, 0x2af4089600000n, '7457705ecfea9bc6e83fd7b0dbd2f8aa965c37bf68bb9eaab72e2c20d91db5d8'],
  [610541, 0x1ac96321c00000n, '7b29947f33cd9d4de7d21d8aaf9f46be34fd58549d1f585fc606b881fa999ec8'],
  [2002029, 0x1ef2e58e500000n, 'a705959fa70802f05d6802dddf9ca3d83b939966becd2da97b1e30ef5d897a6d'],
  [259731, null, '2eeb6d41ea495dfec6ebcb46957b8f370eb58eb9c98c2aaaa130b63976f74c1c'],
];

function vectorStream(): Uint8Array {
  const data = new Uint8Array(786432 * 32);
  for (let i = 0; i < 786432; i++) data.set(hash('sha256', `restic-chunker-test-${i}`, 'buffer'), i * 32);
  return data;
}

const run = promisify(execFile);
const RESTIC = '/usr/bin/restic';

/** Backs files up with the real restic and returns the polynomial and each file's content list. */
async function resticContentLists(files: Record<string, Uint8Array>): Promise<{ pol: bigint; content: Map<string, string[]> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-chunker-'));
  try {
    await mkdir(join(dir, 'data'));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, 'data', name), bytes);
    // The password goes through the environment, never argv; --no-cache keeps restic out of $HOME.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin', HOME: dir, RESTIC_PASSWORD: 'chunker-test', RESTIC_REPOSITORY: join(dir, 'repo') };
    const restic = async (args: string[], cwd = dir): Promise<string> =>
      (await run(RESTIC, ['--no-cache', ...args], { env, cwd, maxBuffer: 64 << 20 })).stdout;
    await restic(['init', '-q']);
    // Backing up "." from inside the directory puts the files straight into the root tree.
    await restic(['backup', '-q', '.'], join(dir, 'data'));
    const [config, snapshots] = await Promise.all([
      restic(['--no-lock', 'cat', 'config']),
      restic(['--no-lock', 'snapshots', '--json']),
    ]);
    const tree = JSON.parse(await restic(['--no-lock', 'cat', 'blob', JSON.parse(snapshots)[0].tree])) as {
      nodes: { name: string; type: string; content: string[] | null }[];
    };
    const content = new Map(tree.nodes.filter((n) => n.type === 'file').map((n) => [n.name, n.content ?? []]));
    return { pol: parsePolynomial(JSON.parse(config).chunker_polynomial), content };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// concurrency: the restic test mostly waits on child processes, so the others run meanwhile.
describe('chunker', { concurrency: true }, () => {
  test('cuts exactly where restic 0.14 cuts, with the polynomial restic chose', async () => {
    // Fails, never skips, without restic: this test exists to compare with it (.ci/run installs it).
    assert.ok(existsSync(RESTIC), `restic 0.14 is required at ${RESTIC}: apt-get install restic`);
    const files = {
      'random.bin': pseudoRandom('restic cross-check', 20 * 1024 * 1024 + 12345),
      'constant.bin': new Uint8Array(9 * 1024 * 1024).fill(0x61),
      'small.bin': pseudoRandom('small', 100_000),
      'empty.bin': new Uint8Array(0),
    };
    const { pol, content } = await resticContentLists(files);
    assert.equal(polynomialDegree(pol), 53);
    for (const [name, data] of Object.entries(files)) {
      const expected = content.get(name);
      assert.ok(expected !== undefined, `restic stored no ${name}`);
      for (const opts of [WASM, JS]) {
        const ids: string[] = [];
        let off = 0;
        for (const len of chunkLengths(data, pol, opts, [1 << 20]).lengths) {
          ids.push(sha256(data.subarray(off, off + len)));
          off += len;
        }
        assert.deepEqual(ids, expected, `${name} with ${opts.useWasm === false ? 'JavaScript' : 'WebAssembly'}`);
      }
    }
    assert.equal(content.get('constant.bin')!.length, 2); // cut at MaxSize, then the rest
  });

  test('restic test vector: 24 MiB, 14 chunks with their lengths, cut digests and IDs', async () => {
    const data = vectorStream();
    assert.equal(sha256(data), VECTOR_STREAM_SHA256);
    const pol = parsePolynomial('3da3358b4dc173');
    const expectedLengths = VECTOR.map(([len]) => len);
    for (const opts of [WASM, JS]) {
      const { lengths, digests } = chunkLengths(data, pol, opts);
      assert.deepEqual(lengths, expectedLengths);
      assert.deepEqual(digests, VECTOR.slice(0, -1).map(([, cut]) => cut));
    }
    // chunkStream over uneven buffers yields the same chunks, with restic's blob IDs.
    const chunks = await collect(chunkStream(pieces(data, [1_000_003, 65_536, 7, 3_000_000]), pol));
    assert.deepEqual(chunks.map(sha256), VECTOR.map(([, , id]) => id));
  });

  test('zeros: 4 × MinSize zero bytes give four chunks of MinSize with digest 0 (restic/chunker vector)', async () => {
    const data = new Uint8Array(4 * MIN);
    for (const opts of [WASM, JS]) {
      const { lengths, digests } = chunkLengths(data, RESTIC_TEST_POL, opts);
      assert.deepEqual(lengths, [MIN, MIN, MIN, MIN]);
      assert.deepEqual(digests, [0n, 0n, 0n, 0n]);
    }
    const chunks = await collect(chunkStream([data], RESTIC_TEST_POL));
    assert.equal(chunks.length, 4);
    for (const c of chunks) assert.ok(sha256(c).startsWith('07854d2fef297a06'));
  });

  test('skipping what a chunk never hashes gives the same cuts as pushing every byte; more than skippable is refused', () => {
    const pol = 0x3da3358b4dc173n;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 * 1024 * 1024 }), fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 8 }), fc.nat(), (length, pieces, seed) => {
        const data = pseudoRandom(`skip ${seed}`, length);
        const all = new Chunker(pol);
        const expected = [...all.push(data)];
        const c = new Chunker(pol);
        const cuts: number[] = [];
        let at = 0;
        for (let k = 0; at < length; k++) {
          const skip = Math.min(c.skippable, length - at);
          c.skip(skip);
          at += skip;
          const n = Math.min(pieces[k % pieces.length]!, length - at);
          for (const cut of c.push(data.subarray(at, at + n))) cuts.push(at + cut);
          at += n;
        }
        assert.deepEqual(cuts, expected);
        assert.equal(c.finish(), all.finish(), 'the same bytes left after the last cut');
      }),
      { numRuns: 25 },
    );
    const c = new Chunker(pol);
    assert.equal(c.skippable, MIN - 64);
    assert.throws(() => c.skip(MIN), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    c.skip(MIN - 64);
    assert.equal(c.skippable, 0);
    assert.throws(() => c.skip(1), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  });

  test('constant non-zero data is cut at MaxSize', () => {
    const data = new Uint8Array(2 * MAX + 100).fill(0x61);
    for (const opts of [WASM, JS]) assert.deepEqual(chunkLengths(data, RESTIC_TEST_POL, opts).lengths, [MAX, MAX, 100]);
  });

  test('empty input yields no chunks; input below MinSize is one chunk', async () => {
    const chunker = new Chunker(RESTIC_TEST_POL);
    assert.deepEqual(chunker.push(new Uint8Array(0)), []);
    assert.equal(chunker.finish(), 0);
    assert.deepEqual(await collect(chunkStream([], RESTIC_TEST_POL)), []);
    assert.deepEqual(await collect(chunkStream([new Uint8Array(0), new Uint8Array(0)], RESTIC_TEST_POL)), []);
    const small = pseudoRandom('small', 1000);
    const out = await collect(chunkStream(pieces(small, [300]), RESTIC_TEST_POL));
    assert.equal(out.length, 1);
    assert.deepEqual(Buffer.from(out[0]!), small);
  });

  test('a zero window right after MinSize is the cut; finish() resets for the next stream', () => {
    const chunker = new Chunker(RESTIC_TEST_POL);
    for (let round = 0; round < 2; round++) {
      const data = withZeroWindows(pseudoRandom(`reset ${round}`, MIN + 5000), [MIN + 1000]);
      assert.deepEqual(chunker.push(data), [MIN + 1064]);
      assert.equal(chunker.finish(), 5000 - 1064);
    }
  });

  test('two lanes: an earlier split point in the first lane wins over the second lane', () => {
    // The WebAssembly loop scans 64 KiB blocks as two 32 KiB lanes; the first block of a chunk
    // starts at MinSize. This random base has no split point of its own in the first 200 kB past MinSize.
    const base = pseudoRandom('lanes', MIN + 200_000);
    assert.deepEqual(chunkLengths(base, RESTIC_TEST_POL).lengths, [base.length]);
    const cases = [[MIN + 30_000, MIN + 32_768 + 100], [MIN + 32_768 - 64, MIN + 32_768 + 1], [MIN - 64], [MIN + 65_000, MIN + 70_000]];
    for (const offsets of cases) {
      const data = withZeroWindows(Uint8Array.from(base), offsets);
      const expected = referenceLengths(data, RESTIC_TEST_POL);
      assert.equal(expected[0], offsets[0]! + 64);
      for (const opts of [WASM, JS]) assert.deepEqual(chunkLengths(data, RESTIC_TEST_POL, opts).lengths, expected, `${offsets}`);
    }
  });

  test('property: same cuts as the literal bigint algorithm, for any polynomial degree 8…53', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 53 }),
        fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }),
        fc.array(fc.integer({ min: 0, max: 70_000 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 * MAX }),
        (deg, bits, gaps, piece) => {
          const pol = (1n << BigInt(deg)) | (bits & ((1n << BigInt(deg)) - 1n));
          // One zero window 0…70000 bytes after MinSize in each of a few chunks.
          const offsets: number[] = [];
          let at = 0;
          for (const gap of gaps) offsets.push((at += MIN + gap));
          const data = withZeroWindows(pseudoRandom(`ref ${pol} ${gaps}`, at + 64 + 1000), offsets);
          const expected = referenceLengths(data, pol);
          for (const opts of [WASM, JS]) assert.deepEqual(chunkLengths(data, pol, opts, [piece]).lengths, expected);
        },
      ),
      { numRuns: 6 },
    );
  });

  test('property: chunks reassemble the input, respect the size bounds, and do not depend on buffer splits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 * 1024 * 1024 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 2 * 1024 * 1024 }), { minLength: 1, maxLength: 8 }),
        async (size, zeroAt, split) => {
          const data = withZeroWindows(pseudoRandom(`split ${size} ${zeroAt}`, size), zeroAt.map((z) => (size ? z % size : 0)));
          const whole = chunkLengths(data, RESTIC_TEST_POL).lengths;
          checkChunkRules(whole, size);
          assert.deepEqual(chunkLengths(data, RESTIC_TEST_POL, WASM, split).lengths, whole);
          assert.deepEqual(chunkLengths(data, RESTIC_TEST_POL, JS, split).lengths, whole);
          const chunks = await collect(chunkStream(pieces(data, split), RESTIC_TEST_POL));
          assert.deepEqual(chunks.map((c) => c.length), whole);
          assert.deepEqual(Buffer.concat(chunks), Buffer.from(data));
        },
      ),
      { numRuns: 25 },
    );
  });

  test('property: 1-byte and tiny buffers give the same cuts as one buffer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 70 }), (gap, tiny) => {
        const data = withZeroWindows(pseudoRandom(`tiny ${gap}`, MIN + 4000), [MIN - 64 + gap]);
        const whole = chunkLengths(data, RESTIC_TEST_POL).lengths;
        assert.deepEqual(whole, [MIN + gap, 4000 - gap]);
        assert.deepEqual(chunkLengths(data, RESTIC_TEST_POL, WASM, [tiny, 1]).lengths, whole);
      }),
      { numRuns: 4 },
    );
    const data = withZeroWindows(pseudoRandom('one byte', MIN + 3000), [MIN + 100]);
    assert.deepEqual(chunkLengths(data, RESTIC_TEST_POL, WASM, [1]).lengths, [MIN + 164, 3000 - 164]);
  });

  test('chunkStream returns views of the input when a chunk lies in one buffer', async () => {
    const data = withZeroWindows(pseudoRandom('views', 3 * MIN), [MIN + 10, 2 * MIN + 500]);
    const first = data.subarray(0, 2 * MIN + 200);
    const second = data.subarray(2 * MIN + 200);
    const chunks = await collect(chunkStream([first, second], RESTIC_TEST_POL));
    assert.deepEqual(chunks.map((c) => c.length), [MIN + 74, MIN + 490, data.length - 2 * MIN - 564]);
    assert.equal(chunks[0]!.buffer, data.buffer); // inside the first buffer: a view
    assert.equal(chunks[2]!.buffer, data.buffer); // inside the second buffer: a view
    assert.notEqual(chunks[1]!.buffer, data.buffer); // spans both: assembled
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(data));
  });

  test('the polynomial must have a degree from 8 to 53', () => {
    for (const bad of [0n, 1n, 0xffn, 1n << 54n, (1n << 64n) + 1n, -1n]) {
      assert.throws(() => new Chunker(bad), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'), `${bad}`);
    }
    assert.doesNotThrow(() => new Chunker(0x100n));
    assert.doesNotThrow(() => new Chunker((1n << 53n) | 1n));
  });
});
