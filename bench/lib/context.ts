// What every scenario needs to know besides the options: where things are, and the tools to run.
import { join } from 'node:path';
import type { Options, ToolName } from './args.js';
import { progress } from './log.js';
import { machineInfo } from './machine.js';
import type { MachineInfo } from './machine.js';
import { missingPrerequisites } from './prereq.js';
import type { ToolColumn } from './report.js';
import { pinPrefix } from './session.js';
import type { Tool } from './tools.js';
import { freezeLifeboat, makeTool } from './tools.js';

export interface BenchContext {
  opts: Options;
  repoRoot: string;
  scripts: string;
  resultsDir: string;
  startedAt: Date;
}

export function makeContext(opts: Options, repoRoot: string): BenchContext {
  return {
    opts,
    repoRoot,
    scripts: opts.scripts ?? join(repoRoot, '..', 'shared', 'bench'),
    resultsDir: opts.results ?? join(repoRoot, 'bench', 'results'),
    startedAt: new Date(),
  };
}

/** The tools, after checking that they and every helper program are installed (exits 2 if not). */
export function prepareTools(c: BenchContext, names: readonly ToolName[]): Tool[] {
  const tools = names.map((n) => makeTool(n, c.repoRoot));
  const problems = missingPrerequisites(tools, pinPrefix(c.opts.cores).length > 0);
  if (problems.length > 0) {
    process.stderr.write(`Cannot run the benchmark:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  return tools;
}

/** The tools again, with Lifeboat run from a frozen copy of the build in the session's directory. */
export function withFrozenLifeboat(c: BenchContext, tools: readonly Tool[], runDir: string): Tool[] {
  if (!tools.some((t) => t.name === 'lifeboat')) return [...tools];
  const root = freezeLifeboat(c.repoRoot, runDir);
  return tools.map((t) => (t.name === 'lifeboat' ? makeTool('lifeboat', root) : t));
}

export function describeMachine(c: BenchContext, tools: readonly Tool[]): MachineInfo {
  const m = machineInfo(tools, c.repoRoot);
  const busy = m.loadAverage[0]! > 0.5;
  if (busy) progress(`warning: load average ${m.loadAverage[0]} at start; other work on the machine skews the figures`);
  return m;
}

export function columns(tools: readonly Tool[]): ToolColumn[] {
  return tools.map((t) => ({ name: t.name, label: t.label }));
}

export function dateLabel(d: Date): string {
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}
