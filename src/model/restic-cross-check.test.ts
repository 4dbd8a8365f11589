// Backs up odd files with the real restic 0.14 and checks that Lifeboat decodes its tree
// blobs to the exact bytes on disk and re-encodes them byte for byte. Skipped without restic 0.14.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { fileModeFromStMode, nodeTypeFromFileMode } from './file-mode.js';
import { goPrintRanges } from './go-is-print.js';
import { formatGoTime, goTimeFromNs } from './go-time.js';
import type { Node } from './node.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { decodeTree, encodeTree } from './tree.js';

const run = promisify(execFile);
const KOLKATA = 19_800;

function resticVersion(): string | undefined {
  try {
    return execFileSync('restic', ['version'], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}
const version = resticVersion();
const skip = version === undefined ? 'restic not installed' : /^restic 0\.14\./.test(version) ? false : `needs restic 0.14, found ${version.trim()}`;

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const ODD_NAMES = [
  b('with space'), b('new\nline'), b('back\\slash'), b('quote"d'), b('tab\tname'), Buffer.from([0x62, 0x61, 0x64, 0xff]),
  b('nb\u00a0sp'), b('emoji😀'), b('a<b&c>.txt'), b('del\x7f'), b('bell\x07'), b('ünïcødé.txt'), b('sep\u2028'),
  b('melt\u{1fae0}'), b("it's"), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]),
];

const BAD_TARGET = Buffer.from([0x74, 0x61, 0x72, 0xff, 0x67, 0x65, 0x74]);
// Go 1.19's JSON has no \b or \f short forms; restic writes targets as plain JSON strings.
// (No U+FFFD: that is the one documented divergence, see README.md.)
const CTRL_TARGET = 'a\x01\b\f\t\n\r<>&\u2028\x7f"\\ é';

/** Names packing every code point next to a boundary of the Go 1.19 printable table. */
function boundaryNames(): Buffer[] {
  const cps = new Set<number>();
  for (const [lo, hi] of goPrintRanges()) for (const cp of [lo - 1, lo, hi, hi + 1]) cps.add(cp);
  const names: Buffer[] = [];
  let cur = '';
  for (const cp of [...cps].sort((x, y) => x - y)) {
    if (cp < 0x80 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) continue;
    const ch = String.fromCodePoint(cp);
    if (Buffer.byteLength(cur + ch) > 250) names.push(b(cur)), (cur = '');
    cur += ch;
  }
  if (cur) names.push(b(cur));
  return names;
}

function makeSource(src: string): void {
  mkdirSync(src);
  const at = (name: string | Buffer): Buffer => Buffer.concat([b(src + '/'), typeof name === 'string' ? b(name) : name]);
  for (const n of ODD_NAMES) writeFileSync(at(n), n);
  writeFileSync(join(src, 'hello.txt'), 'hello, world\n');
  linkSync(join(src, 'hello.txt'), join(src, 'hardlink'));
  writeFileSync(join(src, 'empty'), '');
  writeFileSync(join(src, 'skip.bak'), 'excluded');
  writeFileSync(join(src, 'setuid'), '#!/bin/sh\n');
  chmodSync(join(src, 'setuid'), 0o4755);
  symlinkSync('hello.txt', join(src, 'link'));
  symlinkSync(BAD_TARGET, at('badlink'));
  symlinkSync(CTRL_TARGET, join(src, 'ctrl-link'));
  mkdirSync(join(src, 'sticky'));
  chmodSync(join(src, 'sticky'), 0o1777);
  writeFileSync(join(src, 'sticky', 'inner'), 'x');
  mkdirSync(join(src, 'emptydir'));
  mkdirSync(join(src, 'unicode'));
  for (const n of boundaryNames()) writeFileSync(Buffer.concat([b(join(src, 'unicode') + '/'), n]), '');
  try {
    execFileSync('mkfifo', [join(src, 'fifo')]);
  } catch {
    // no mkfifo: the fifo case is simply not covered
  }
  try {
    const py =
      `import os; os.setxattr(${JSON.stringify(join(src, 'hello.txt'))}, 'user.lifeboat', b'v\\x00\\xff'); ` +
      `os.setxattr(${JSON.stringify(join(src, 'empty'))}, 'user.empty', b'')`;
    execFileSync('python3', ['-c', py], { stdio: 'ignore' });
  } catch {
    // no python3 or no user xattrs on this file system
  }
}

/** Go's json.Compact for the indented JSON `restic cat snapshot` prints. */
function compact(s: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inStr) {
      out += c;
      if (c === '\\') out += s[++i];
      else if (c === '"') inStr = false;
    } else if (!' \n\r\t'.includes(c)) {
      out += c;
      if (c === '"') inStr = true;
    }
  }
  return out;
}

/** What restic 0.14 keeps of a symlink target: valid UTF-8, each bad byte as U+FFFD. */
const lossyTarget = (raw: Buffer): Buffer => (raw.equals(BAD_TARGET) ? b('tar\ufffdget') : raw);

function checkAgainstDisk(dir: string, nodes: Node[], excluded: (n: Buffer) => boolean): void {
  const onDisk = readdirSync(dir, { encoding: 'buffer' }).filter((n) => !excluded(n));
  const key = (x: Uint8Array): string => Buffer.from(x).toString('hex');
  assert.deepEqual(nodes.map((n) => key(n.name)).sort(), onDisk.map(key).sort(), `names in ${dir}`);
  for (const n of nodes) {
    const path = Buffer.concat([b(dir + '/'), n.name]);
    const st = lstatSync(path, { bigint: true });
    const what = `${dir}/${Buffer.from(n.name).toString('hex')}`;
    assert.equal(n.mode, fileModeFromStMode(Number(st.mode)), what);
    assert.equal(nodeTypeFromFileMode(n.mode), n.type, what);
    assert.equal(formatGoTime(n.mtime), formatGoTime(goTimeFromNs(st.mtimeNs, () => KOLKATA)), what);
    assert.equal(formatGoTime(n.ctime), formatGoTime(goTimeFromNs(st.ctimeNs, () => KOLKATA)), what);
    assert.equal(n.inode, st.ino, what);
    assert.equal(n.deviceId, st.dev, what);
    assert.equal(n.uid, Number(st.uid), what);
    assert.equal(n.size, n.type === 'file' ? Number(st.size) : 0, what);
    // restic 0.14 records links only for these types.
    const hasLinks = ['file', 'symlink', 'dev', 'chardev'].includes(n.type);
    assert.equal(n.links, hasLinks ? Number(st.nlink) : 0, what);
    if (n.extendedAttributes.length > 0) {
      const expected = n.type === 'file' && n.size === 0 ? [{ name: 'user.empty', value: new Uint8Array(0) }] : [{ name: 'user.lifeboat', value: Uint8Array.of(0x76, 0, 0xff) }];
      assert.deepEqual(n.extendedAttributes, expected, what);
    }
    if (n.type === 'symlink') assert.deepEqual(Buffer.from(n.linktarget), lossyTarget(readlinkSync(path, { encoding: 'buffer' })), what);
  }
}

test('restic 0.14 cross-check: odd names, modes, links; trees re-encode byte-identically', { skip, timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lifeboat-model-'));
  try {
    const src = join(tmp, 'src');
    makeSource(src);
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: tmp,
      TZ: 'Asia/Kolkata',
      RESTIC_PASSWORD: 'lifeboat-cross-check',
      RESTIC_REPOSITORY: join(tmp, 'repo'),
      RESTIC_CACHE_DIR: join(tmp, 'cache'),
    };
    const restic = async (...args: string[]): Promise<Buffer> =>
      (await run('restic', args, { env, cwd: src, encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;

    await restic('init', '-q');
    const out = (await restic('backup', '--json', '--host', 'lifeboat-test', '--tag', 'a<b,c', '--exclude', '*.bak', '.')).toString();
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { snapshot_id: string };

    const catSnapshot = (await restic('cat', 'snapshot', summary.snapshot_id)).toString();
    const snap = decodeSnapshot(b(catSnapshot));
    assert.deepEqual(snap.paths, [src]);
    assert.equal(snap.hostname, 'lifeboat-test');
    assert.deepEqual(snap.tags, ['a<b', 'c']);
    assert.deepEqual(snap.excludes, ['*.bak']);
    assert.equal(snap.time.offsetSeconds, KOLKATA);
    assert.equal(Buffer.from(encodeSnapshot(snap)).toString(), compact(catSnapshot));

    // Walk the trees level by level, fetching each level's blobs in parallel.
    let level: Array<{ id: string; dir: string }> = [{ id: snap.tree, dir: src }];
    let trees = 0;
    while (level.length > 0) {
      const blobs = await Promise.all(level.map(({ id }) => restic('cat', 'blob', id)));
      const next: typeof level = [];
      level.forEach(({ dir }, i) => {
        const raw = new Uint8Array(blobs[i]!);
        const nodes = decodeTree(raw);
        assert.deepEqual(Buffer.from(encodeTree(nodes)), Buffer.from(raw), `tree of ${dir} re-encodes byte-identically`);
        checkAgainstDisk(dir, nodes, (n) => dir === src && n.toString().endsWith('.bak'));
        for (const n of nodes) if (n.type === 'dir') next.push({ id: n.subtree!, dir: join(dir, Buffer.from(n.name).toString()) });
        trees++;
      });
      level = next;
    }
    assert.equal(trees, 4);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
