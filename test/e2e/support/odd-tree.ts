// Builds a directory tree full of what breaks backup tools: odd names (newline, tab,
// backslash, quotes, invalid UTF-8, 255 bytes), empty files and dirs, a big file, a sparse
// file, hardlinks, symlinks (one dangling), a crowded dir, deep nesting, setuid/setgid/
// sticky bits, fifos, foreign owners, and mtimes with nanoseconds (one before 1970).
import { chmodSync, chownSync, linkSync, mkdirSync, symlinkSync, truncateSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { RandomStream, setTimesNs, writeDataFile } from './data.js';

export interface OddTreeOptions {
  /** Size of the big file (the issue asks for 200 MiB). */
  readonly bigFileSize: number;
  /** Apparent size of the sparse file. */
  readonly sparseSize: number;
  /** Files in the crowded directory. */
  readonly crowdedFiles: number;
  readonly depth: number;
}

export const FULL_ODD_TREE: OddTreeOptions = { bigFileSize: 200 * 1024 * 1024, sparseSize: 50 * 1024 * 1024, crowdedFiles: 10_000, depth: 50 };

const b = (s: string) => Buffer.from(s);
const cat = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));

/** Names that need quoting in restic's trees (§8.3 of restic-format.md). */
export const ODD_NAMES: readonly Buffer[] = [
  b('with space.txt'),
  b(' leading and trailing space '),
  b('new\nline'),
  b('trailing newline\n'),
  b('back\\slash'),
  b('quote"d \'single\''),
  b('tab\there'),
  b('cr\rhere'),
  b('del\x7f'),
  b('ctrl\x01\x1f'),
  b('nb\u00a0sp'),
  b('a<b&c>.txt'),
  b('ünïcødé😀.txt'),
  b('-starts-with-dash'),
  b('%s %n $HOME `x`'),
  Buffer.from([0x62, 0x61, 0x64, 0xff]),
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0x75, 0x74, 0x66, 0x38, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
  b('n'.repeat(255)),
  // 255 bytes, multi-byte UTF-8: 127 × "é" (2 bytes) + "x"
  b('é'.repeat(127) + 'x'),
];

/** Creates the tree under `root` (which must not exist). Returns a short inventory. */
export function makeOddTree(root: string, o: OddTreeOptions): { files: number; bytes: number } {
  const R = b(root);
  const p = (...parts: (string | Buffer)[]) => Buffer.concat([R, ...parts.flatMap((x) => [b('/'), typeof x === 'string' ? b(x) : x])]);
  mkdirSync(root);
  const times: { path: Buffer; time: string }[] = [];
  let files = 0;
  let bytes = 0;
  const file = (path: Buffer, content: string | Buffer, mode = 0o644) => {
    writeFileSync(path, content);
    chmodSync(path, mode);
    files++;
    bytes += Buffer.byteLength(content);
  };

  // Odd names, each as a file, and in a dir with an odd name too.
  mkdirSync(p('names'));
  for (const [i, n] of ODD_NAMES.entries()) file(p('names', n), `content of odd name #${i}\n`);
  mkdirSync(p('names', cat('dir ', Buffer.from([0xfe]), '\n"\\')));
  file(p('names', cat('dir ', Buffer.from([0xfe]), '\n"\\'), cat('inner\t', Buffer.from([0xff]))), 'inside an odd dir\n');

  // Empty things.
  file(p('empty-file'), '');
  mkdirSync(p('empty-dir'));
  mkdirSync(p('empty-dir-0700'), { mode: 0o700 });
  chmodSync(p('empty-dir-0700'), 0o700);

  // Big file: random with every 8th MiB compressible text; a small compressible file.
  mkdirSync(p('big'));
  writeDataFile(p('big', 'big.bin'), o.bigFileSize, 'odd-tree big file', 8);
  files++;
  bytes += o.bigFileSize;
  file(p('big', 'text.txt'), 'compressible line of text\n'.repeat(40_000));
  file(p('big', 'exactly-512KiB'), new RandomStream('512k').next(512 * 1024));
  file(p('big', 'one-over-512KiB'), new RandomStream('512k+1').next(512 * 1024 + 1));

  // Sparse: a hole, some data in the middle, a hole to the end.
  const sparse = p('sparse.img');
  writeFileSync(sparse, '');
  truncateSync(sparse, o.sparseSize);
  const fd = openSync(sparse, 'r+');
  writeSync(fd, new RandomStream('sparse').next(64 * 1024), 0, 64 * 1024, Math.floor(o.sparseSize / 2));
  closeSync(fd);
  files++;

  // Hardlinks: three names for one inode, across directories; and a hardlinked pair with an odd name.
  mkdirSync(p('hardlinks'));
  mkdirSync(p('hardlinks', 'sub'));
  file(p('hardlinks', 'one'), 'one inode, three names\n', 0o640);
  linkSync(p('hardlinks', 'one'), p('hardlinks', 'two'));
  linkSync(p('hardlinks', 'one'), p('hardlinks', 'sub', 'three'));
  file(p('hardlinks', 'pair a'), 'two names\n');
  linkSync(p('hardlinks', 'pair a'), p('hardlinks', cat('pair ', Buffer.from([0xff]))));

  // Symlinks: relative, absolute, to a dir, dangling, with odd characters.
  mkdirSync(p('symlinks'));
  symlinkSync('../names/with space.txt', p('symlinks', 'to-file'));
  symlinkSync('../empty-dir', p('symlinks', 'to-dir'));
  symlinkSync('/nonexistent/dangling target', p('symlinks', 'dangling'));
  symlinkSync('/etc/hostname', p('symlinks', 'absolute'));
  symlinkSync('new\nline target "quoted" \\ tab\t', p('symlinks', cat('odd ', Buffer.from([0xfe]))));

  // A crowded directory.
  mkdirSync(p('crowded'));
  for (let i = 0; i < o.crowdedFiles; i++) {
    const name = `f${String(i).padStart(5, '0')}`;
    writeFileSync(p('crowded', name), i % 100 === 0 ? 'same content in many files\n' : `file ${i}\n`);
  }
  files += o.crowdedFiles;

  // Deep nesting.
  let deep = p('deep');
  mkdirSync(deep);
  for (let i = 1; i <= o.depth; i++) {
    deep = cat(deep, `/d${String(i).padStart(2, '0')}`);
    mkdirSync(deep);
  }
  file(cat(deep, '/leaf.txt'), `${o.depth} levels down\n`);

  // Special permission bits and owners.
  mkdirSync(p('modes'));
  file(p('modes', 'setuid'), '#!/bin/sh\n', 0o4755);
  file(p('modes', 'setgid'), '#!/bin/sh\n', 0o2755);
  file(p('modes', 'setuid-setgid-sticky'), 'all three\n', 0o7777);
  file(p('modes', 'no-permissions'), 'mode 0000\n', 0o000);
  file(p('modes', 'read-only'), 'mode 0444\n', 0o444);
  mkdirSync(p('modes', 'sticky-dir'));
  chmodSync(p('modes', 'sticky-dir'), 0o1777);
  file(p('modes', 'sticky-dir', 'inside'), 'in a sticky dir\n');
  mkdirSync(p('modes', 'setgid-dir'));
  chmodSync(p('modes', 'setgid-dir'), 0o2775);
  file(p('modes', 'owned-by-1234'), 'foreign owner\n', 0o600);
  chownSync(p('modes', 'owned-by-1234'), 1234, 5678);
  mkdirSync(p('modes', 'dir-owned-by-4321'));
  chownSync(p('modes', 'dir-owned-by-4321'), 4321, 8765);

  // FIFOs (never read by a backup: a read would block forever).
  mkdirSync(p('special'));
  for (const name of [b('fifo'), cat('fifo ', Buffer.from([0xff]), ' odd')]) {
    const oct = [...p('special', name)].map((x) => '\\' + x.toString(8).padStart(3, '0')).join('');
    const r = spawnSync('/bin/sh', ['-c', `p=$(printf '${oct}x'); mkfifo -m 0640 -- "\${p%x}"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, `mkfifo failed: ${r.stderr}`);
  }

  // mtimes with nanoseconds; dirs last and deepest first, since creating entries changes them.
  times.push({ path: p('names', ODD_NAMES[2]!), time: '1234567890.123456789' });
  times.push({ path: p('names', ODD_NAMES[15]!), time: '1600000000.000000001' });
  times.push({ path: p('empty-file'), time: '1000000000.999999999' });
  times.push({ path: p('big', 'text.txt'), time: '-86400.5' }); // before 1970
  times.push({ path: p('big', 'exactly-512KiB'), time: '4102444800.25' }); // 2100
  times.push({ path: p('modes', 'setuid'), time: '1500000000.000001' });
  times.push({ path: p('symlinks', 'dangling'), time: '1400000000.111111111' });
  times.push({ path: p('hardlinks', 'one'), time: '1300000000.987654321' });
  times.push({ path: p('special', 'fifo'), time: '1200000000.5' });
  times.push({ path: p('empty-dir'), time: '1100000000.000000123' });
  times.push({ path: p('deep'), time: '1650000000.424242424' });
  times.push({ path: p('modes', 'sticky-dir'), time: '1650000001.1' });
  setTimesNs(times);
  return { files, bytes };
}
