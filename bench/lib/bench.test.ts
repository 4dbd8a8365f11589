// Unit tests of the benchmark's pure parts (the benchmark itself is run by hand: npm run bench).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseOptions, parseSize } from './args.js';
import { treeStats } from './dataset.js';
import { generateDataset } from './gen-data.js';
import { fileCounts, generateManyFiles, growth } from './many-files.js';
import { applyMutation, revertMutation } from './mutate.js';
import { comparisonTable, computeRatios, formatRatio } from './report.js';
import { resultBase } from './results.js';
import { parseTimeOutput } from './run.js';
import { rotate } from './session.js';
import { launcherFlags, lifeboatCli } from './tools.js';
import type { Median } from './stats.js';
import { median, ratio } from './stats.js';

function treeDigest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      h.update(`${p.slice(dir.length)} ${st.mtimeMs}\n`);
      if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('options', () => {
  test('defaults', () => {
    const o = parseOptions([]);
    assert.equal(o.rounds, 3);
    assert.deepEqual(o.tools, ['lifeboat', 'restic', 'borg']);
    assert.equal(o.size, 'full');
    assert.equal(o.files, 1_000_000);
    assert.equal(o.onlyGiven, false);
  });
  test('lists keep the canonical order and reject unknown names', () => {
    assert.deepEqual(parseOptions(['--only', 'restic,lifeboat']).tools, ['lifeboat', 'restic']);
    assert.deepEqual(parseOptions(['--phases', 'check,first']).phases, ['first', 'check']);
    assert.throws(() => parseOptions(['--only', 'duplicity']), /unknown "duplicity"/);
    assert.throws(() => parseOptions(['--rounds', '0']), /positive integer/);
  });
  test('sizes', () => {
    assert.equal(parseSize('small'), 200);
    assert.equal(parseSize('300'), 300);
    assert.equal(parseSize('64MiB'), 64);
    assert.equal(parseSize('full'), 'full');
    assert.throws(() => parseSize('2'), /at least/);
  });
});

describe('measurement helpers', () => {
  test('GNU time output, with and without a status line', () => {
    assert.deepEqual(parseTimeOutput('1.50 2.25 0.50 12345\n'), { userS: 2.25, sysS: 0.5, maxRssKiB: 12345 });
    assert.deepEqual(parseTimeOutput('Command exited with non-zero status 1\n0.01 0.00 0.00 2000\n'), { userS: 0, sysS: 0, maxRssKiB: 2000 });
    assert.equal(parseTimeOutput(''), undefined);
  });
  test('median', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(median([NaN, 5]), 5);
  });
  test('rotate', () => {
    assert.deepEqual(rotate(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(rotate(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
  });
});

describe('launcher flags', () => {
  test('the node flags of a "#!/usr/bin/env -S node ..." first line, none otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-flags-'));
    try {
      const file = (first: string) => {
        const p = join(dir, `f${Math.random()}`);
        writeFileSync(p, `${first}\nconsole.log(1);\n`);
        return p;
      };
      assert.deepEqual(launcherFlags(file('#!/usr/bin/env -S node --max-semi-space-size=4 --no-warnings')), ['--max-semi-space-size=4', '--no-warnings']);
      assert.deepEqual(launcherFlags(file('#!/usr/bin/env node')), []);
      assert.deepEqual(launcherFlags(file('// no shebang')), []);
      assert.deepEqual(launcherFlags(join(dir, 'missing')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the built CLI's first line gives node the young-generation flag, and node accepts it", () => {
    const cli = lifeboatCli(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..'));
    const flags = launcherFlags(cli);
    assert.ok(flags.some((f) => f.startsWith('--max-semi-space-size=')), `flags read from ${cli}: ${flags.join(' ')}`);
    const r = spawnSync(process.execPath, [...flags, cli, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('targets', () => {
  test('wall time, RSS and size targets of issue #3', () => {
    assert.equal(ratio('first', 'wallS', 'restic', 7, 10).pass, true);
    assert.equal(ratio('first', 'wallS', 'restic', 8, 10).pass, false);
    assert.equal(ratio('unchanged', 'wallS', 'restic', 5, 10).pass, true);
    assert.equal(ratio('restore', 'maxRssKiB', 'restic', 151, 100).pass, false);
    assert.equal(ratio('size', 'repoBytes', 'restic', 102, 100).pass, true);
    assert.equal(ratio('check', 'cpuS', 'restic', 1, 1).pass, undefined);
    assert.equal(ratio('check', 'wallS', 'restic', NaN, 1).pass, false);
  });
  test('the table marks ratios and escapes nothing into extra columns', () => {
    const m = (subject: string, wallS: number): Median => ({ subject, phase: 'first', n: 1, failed: 0, wallS, cpuS: wallS, maxRssKiB: 1024 });
    const c = { medians: [m('lifeboat', 6), m('restic', 10)], repoBytes: { lifeboat: 100, restic: 100 } };
    const tools = [{ name: 'lifeboat', label: 'Lifeboat' }, { name: 'restic', label: 'restic' }] as const;
    const ratios = computeRatios(c, tools, ['first']);
    const lines = comparisonTable(c, tools, ['first'], ratios);
    const columns = lines[0]!.split(' | ').length;
    for (const l of lines) assert.equal(l.split(' | ').length, columns, l);
    assert.match(lines[2]!, /0\.60 PASS/);
    assert.equal(formatRatio(ratios.find((r) => r.metric === 'repoBytes')), '1.00 PASS');
  });
});

describe('datasets', () => {
  test('the generator is deterministic and mutation reverts exactly', () => {
    withTmp((dir) => {
      generateDataset(join(dir, 'a'), 8);
      generateDataset(join(dir, 'b'), 8);
      const digest = treeDigest(join(dir, 'a'));
      assert.equal(treeDigest(join(dir, 'b')), digest);
      const stats = treeStats(join(dir, 'a'));
      assert.ok(Math.abs(stats.bytes - 8 * 2 ** 20) < 2 ** 20, `about 8 MiB, got ${stats.bytes}`);
      applyMutation(join(dir, 'a'));
      assert.notEqual(treeDigest(join(dir, 'a')), digest);
      revertMutation(join(dir, 'a'));
      assert.equal(treeDigest(join(dir, 'a')), digest);
    });
  });
  test('many files: count, layout and growth', () => {
    withTmp((dir) => {
      generateManyFiles(join(dir, 'm'), 1200);
      const stats = treeStats(join(dir, 'm'));
      assert.equal(stats.files, 1200);
      assert.equal(stats.dirs, 3, 'one group directory and two of up to 1000 files');
    });
    assert.deepEqual(fileCounts(1_000_000), [100_000, 1_000_000]);
    assert.deepEqual(fileCounts(5000), [5000]);
    const md = (phase: string, wallS: number, maxRssKiB: number): Median => ({ subject: 'restic', phase, n: 1, failed: 0, wallS, cpuS: 0, maxRssKiB });
    const g = growth([md('first@10', 1, 100), md('first@100', 8, 300)], ['restic'], [10, 100]);
    assert.deepEqual(g.map((x) => [x.wallRatio, x.rssRatio]), [[8, 3]]);
  });
  test('result files are not overwritten', () => {
    withTmp((dir) => {
      const d = new Date('2025-01-02T03:04:05Z');
      assert.equal(resultBase(dir, 'full', d), join(dir, '2025-01-02-full'));
      writeFileSync(join(dir, '2025-01-02-full.json'), '{}');
      assert.equal(resultBase(dir, 'full', d), join(dir, '2025-01-02-full-2'));
    });
  });
});
