// The many-small-files scenario: N files of 64..1024 bytes, 1000 per directory, 100 directories per
// group; first backup and unchanged re-backup, to see how time and memory grow with the file count.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ToolName } from './args.js';
import { mulberry32 } from './gen-data.js';
import { progress } from './log.js';
import type { GrowthRow } from './report.js';
import type { Median } from './stats.js';
import type { Session } from './session.js';
import { initRepo, measuredStep, rotate, toolContext } from './session.js';
import type { Tool } from './tools.js';
import { toolEnv } from './tools.js';

export const MANY_FILES_PHASES = ['first', 'unchanged'] as const;
export const FILES_PER_DIR = 1000;
const DIRS_PER_GROUP = 100;

export function manyFilesPhase(phase: string, files: number): string {
  return `${phase}@${files}`;
}

/** The file counts measured: 100,000 and N (just N when N is not larger). */
export function fileCounts(n: number): number[] {
  return n > 100_000 ? [100_000, n] : [n];
}

function fileText(i: number, size: number, rnd: () => number): string {
  let s = `file ${i}\n`;
  while (s.length < size) s += `${Math.floor(rnd() * 1e9).toString(36)} `;
  return s.slice(0, size);
}

/** Writes the files (deterministic content; mtimes are those of the moment). */
export function generateManyFiles(root: string, count: number): void {
  const rnd = mulberry32(0x5ca1ab1e);
  let dir = '';
  for (let i = 0; i < count; i++) {
    if (i % FILES_PER_DIR === 0) {
      const d = Math.floor(i / FILES_PER_DIR);
      dir = join(root, `g${String(Math.floor(d / DIRS_PER_GROUP)).padStart(3, '0')}`, `d${String(d % DIRS_PER_GROUP).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      if (d > 0 && d % 50 === 0) progress(`  ${i} files written`);
    }
    const p = join(dir, `f${String(i % FILES_PER_DIR).padStart(3, '0')}.txt`);
    writeFileSync(p, fileText(i, 64 + Math.floor(rnd() * 961), rnd));
  }
}

/** The generated tree for `count` files, built once and reused (a marker file says it is complete). */
export function ensureManyFiles(workdir: string, count: number): string {
  const dir = join(resolve(workdir), 'lifeboat-bench-data', `many-files-${count}`);
  const marker = `${dir}.complete.json`;
  if (existsSync(marker) && existsSync(dir) && (JSON.parse(readFileSync(marker, 'utf8')) as { files?: number }).files === count) {
    progress(`using the ${count}-file tree in ${dir}`);
    return dir;
  }
  progress(`generating ${count} small files in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  generateManyFiles(dir, count);
  writeFileSync(marker, JSON.stringify({ files: count }) + '\n');
  return dir;
}

/** One round at one file count: a fresh repository per tool, first backup, then unchanged re-backup. */
export async function runManyFilesRound(s: Session, round: number, data: string, count: number, tools: readonly Tool[], phases: readonly string[]): Promise<void> {
  const roundDir = join(s.runDir, `many-${count}-round-${round}`);
  const ordered = rotate(tools, round - 1);
  try {
    const lanes = ordered.map((tool) => {
      const ctx = toolContext(s, roundDir, tool);
      initRepo(s, tool, ctx, round);
      return { tool, ctx, broken: false };
    });
    for (const phase of MANY_FILES_PHASES) {
      if (phase !== 'first' && !phases.includes(phase)) continue;
      for (const lane of lanes.filter((l) => !l.broken)) {
        const sample = await measuredStep(s, {
          round, subject: lane.tool.name, phase: manyFilesPhase(phase, count), argv: lane.tool.backup(lane.ctx, data, phase), env: toolEnv(lane.tool, lane.ctx), okCodes: lane.tool.okCodes,
        });
        lane.broken = !sample.ok;
      }
    }
  } finally {
    if (!s.keep) rmSync(roundDir, { recursive: true, force: true });
  }
}

export type Growth = GrowthRow;

/** How wall time and peak RSS grow from the smallest to the largest file count. */
export function growth(medians: readonly Median[], tools: readonly ToolName[], counts: readonly number[]): Growth[] {
  if (counts.length < 2) return [];
  const from = counts[0]!;
  const to = counts[counts.length - 1]!;
  const out: Growth[] = [];
  for (const tool of tools) {
    for (const phase of MANY_FILES_PHASES) {
      const a = medians.find((m) => m.subject === tool && m.phase === manyFilesPhase(phase, from));
      const b = medians.find((m) => m.subject === tool && m.phase === manyFilesPhase(phase, to));
      if (a && b) out.push({ tool, phase, from, to, wallRatio: b.wallS / a.wallS, rssRatio: b.maxRssKiB / a.maxRssKiB });
    }
  }
  return out;
}
