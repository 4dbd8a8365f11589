// The main scenario of issue #3: each round gives every tool a fresh repository and runs the phases
// one after another, tool by tool within each phase (the tool order rotates from round to round).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Phase, ToolName, ToolPhase } from './args.js';
import type { Dataset, Mutator, TreeStats } from './dataset.js';
import { treeStats } from './dataset.js';
import { measureFloor } from './floor.js';
import { progress } from './log.js';
import type { Session } from './session.js';
import { duBytes, initRepo, measuredStep, rotate, toolContext } from './session.js';
import type { Tool, ToolContext } from './tools.js';
import { toolEnv } from './tools.js';

/** A tool's state within a round; broken after any failure, so its later phases are skipped. */
interface Lane {
  tool: Tool;
  ctx: ToolContext;
  lastSnapshot: string;
  broken: boolean;
}

export interface RoundResult {
  round: number;
  order: ToolName[];
  repoBytes: Partial<Record<ToolName, number>>;
  skipped: string[];
}

interface Round {
  s: Session;
  number: number;
  data: string;
  lanes: Lane[];
  result: RoundResult;
}

async function backupStep(r: Round, lane: Lane, phase: ToolPhase): Promise<void> {
  const { tool, ctx } = lane;
  const sample = await measuredStep(r.s, {
    round: r.number, subject: tool.name, phase, argv: tool.backup(ctx, r.data, phase), env: toolEnv(tool, ctx), okCodes: tool.okCodes,
  });
  lane.broken = !sample.ok;
  if (sample.ok) lane.lastSnapshot = phase;
}

function sameTree(got: TreeStats, want: TreeStats): boolean {
  return got.files === want.files && got.bytes === want.bytes;
}

async function restoreStep(r: Round, lane: Lane, expected: TreeStats): Promise<void> {
  const { tool, ctx } = lane;
  const target = join(ctx.dir, 'restore');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target);
  const sample = await measuredStep(r.s, {
    round: r.number, subject: tool.name, phase: 'restore', argv: tool.restore(ctx, target, lane.lastSnapshot), env: toolEnv(tool, ctx), cwd: target, okCodes: tool.okCodes,
  });
  if (sample.ok) {
    const got = treeStats(target);
    if (!sameTree(got, expected)) {
      sample.ok = false;
      sample.error = `restored ${got.files} files, ${got.bytes} bytes; the dataset has ${expected.files} files, ${expected.bytes} bytes`;
      progress(`round ${r.number}: restore, ${tool.name}: WRONG: ${sample.error}`);
    }
  }
  lane.broken = !sample.ok;
  // The restored tree stays until the round ends (with the round's folder): on an ext4
  // without a journal, creating files within 30 s of deleting many others makes the kernel
  // look at every recently freed inode, and the next tool's restore would pay for this one's
  // clean-up.
}

async function checkStep(r: Round, lane: Lane): Promise<void> {
  const { tool, ctx } = lane;
  const sample = await measuredStep(r.s, { round: r.number, subject: tool.name, phase: 'check', argv: tool.check(ctx), env: toolEnv(tool, ctx), okCodes: tool.okCodes });
  lane.broken = !sample.ok;
}

/** Runs fn for every lane still working, noting the ones skipped. */
async function eachLane(r: Round, phase: string, fn: (lane: Lane) => Promise<void>): Promise<void> {
  for (const lane of r.lanes) {
    if (lane.broken) {
      r.result.skipped.push(`${lane.tool.name} ${phase}`);
      continue;
    }
    await fn(lane);
  }
}

function recordRepoSizes(r: Round): void {
  for (const lane of r.lanes.filter((l) => !l.broken)) r.result.repoBytes[lane.tool.name] = duBytes(lane.ctx.repo, r.s);
}

function openLanes(s: Session, roundDir: string, tools: readonly Tool[], round: number): Lane[] {
  return tools.map((tool) => {
    const ctx = toolContext(s, roundDir, tool);
    initRepo(s, tool, ctx, round);
    return { tool, ctx, lastSnapshot: '', broken: false };
  });
}

async function runPhases(r: Round, phases: readonly Phase[], mutator: Mutator): Promise<void> {
  const wants = (p: Phase): boolean => phases.includes(p);
  // the first backup is what every later phase works on, so it runs whenever any of them is asked for
  await eachLane(r, 'first', (lane) => backupStep(r, lane, 'first'));
  recordRepoSizes(r);
  if (wants('unchanged')) await eachLane(r, 'unchanged', (lane) => backupStep(r, lane, 'unchanged'));
  if (wants('changed')) {
    mutator.apply();
    await eachLane(r, 'changed', (lane) => backupStep(r, lane, 'changed'));
  }
  if (wants('restore')) {
    const expected = treeStats(r.data);
    await eachLane(r, 'restore', (lane) => restoreStep(r, lane, expected));
  }
  if (wants('check')) await eachLane(r, 'check', (lane) => checkStep(r, lane));
}

export async function runRound(s: Session, number: number, dataset: Dataset, tools: readonly Tool[], phases: readonly Phase[], mutator: Mutator): Promise<RoundResult> {
  const roundDir = join(s.runDir, `round-${number}`);
  mkdirSync(roundDir, { recursive: true });
  const ordered = rotate(tools, number - 1);
  const result: RoundResult = { round: number, order: ordered.map((t) => t.name), repoBytes: {}, skipped: [] };
  progress(`round ${number}: tool order ${result.order.join(', ')}`);
  try {
    if (phases.includes('floor')) await measureFloor(s, number, dataset.dir, roundDir);
    if (phases.some((p) => p !== 'floor')) {
      const round: Round = { s, number, data: dataset.dir, lanes: openLanes(s, roundDir, ordered, number), result };
      await runPhases(round, phases, mutator);
    }
  } finally {
    if (mutator.pending()) mutator.revert();
    if (!s.keep) rmSync(roundDir, { recursive: true, force: true });
  }
  return result;
}
