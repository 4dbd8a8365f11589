// The shared state of one benchmark run, and the measured steps every scenario is made of.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { progress } from './log.js';
import { formatRss, formatSeconds } from './report.js';
import type { Measurement } from './run.js';
import { measure, runChecked } from './run.js';
import type { Sample } from './stats.js';
import type { Tool, ToolContext } from './tools.js';
import { cleanEnv, toolEnv } from './tools.js';

export interface Session {
  runDir: string;
  logDir: string;
  passwordFile: string;
  password: string;
  cores: number;
  pin: string[];
  timeoutS: number;
  keep: boolean;
  samples: Sample[];
}

/** taskset prefix when fewer CPUs than the machine has are asked for. */
export function pinPrefix(cores: number): string[] {
  const n = availableParallelism();
  if (cores > n) throw new Error(`--cores ${cores}: this machine has only ${n}`);
  return cores < n ? ['taskset', '-c', `0-${cores - 1}`] : [];
}

export function openSession(workdir: string, cores: number, timeoutS: number, keep: boolean): Session {
  mkdirSync(resolve(workdir), { recursive: true });
  const runDir = mkdtempSync(join(resolve(workdir), 'lifeboat-bench-run-'));
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir);
  const password = 'lifeboat-bench-password';
  const passwordFile = join(runDir, 'password');
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  return { runDir, logDir, passwordFile, password, cores, pin: pinPrefix(cores), timeoutS, keep, samples: [] };
}

export function closeSession(s: Session): void {
  if (s.keep) progress(`kept ${s.runDir}`);
  else rmSync(s.runDir, { recursive: true, force: true });
}

/** A fresh directory for a tool in one round: repository, cache, restore target. */
export function toolContext(s: Session, roundDir: string, tool: Tool): ToolContext {
  const dir = join(roundDir, tool.name);
  mkdirSync(dir, { recursive: true });
  return { dir, repo: join(dir, 'repo'), passwordFile: s.passwordFile, password: s.password, cores: s.cores };
}

export function logFile(s: Session, round: number, subject: string, phase: string): string {
  return join(s.logDir, `r${round}-${subject}-${phase.replace(/[^a-z0-9]+/gi, '_')}.log`);
}

export function initRepo(s: Session, tool: Tool, ctx: ToolContext, round: number): void {
  runChecked({ argv: tool.init(ctx), env: toolEnv(tool, ctx), logFile: logFile(s, round, tool.name, 'init') });
}

function describe(m: Measurement): string {
  return `${formatSeconds(m.wallS)} wall, ${formatSeconds(m.cpuS)} CPU, ${formatRss(m.maxRssKiB)} peak`;
}

function failure(m: Measurement, okCodes: readonly number[]): string | undefined {
  if (m.timedOut) return `timed out, killed after ${formatSeconds(m.wallS)}`;
  if (m.signal) return `killed by ${m.signal}`;
  if (m.exitCode === null || !okCodes.includes(m.exitCode)) return `exit status ${m.exitCode}`;
  return undefined;
}

export interface StepSpec {
  round: number;
  subject: string;
  phase: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  okCodes?: readonly number[];
}

/** Runs and records one measured command; prints a progress line. */
export async function measuredStep(s: Session, step: StepSpec): Promise<Sample> {
  const log = logFile(s, step.round, step.subject, step.phase);
  progress(`round ${step.round}: ${step.phase}, ${step.subject} ...`);
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  const m = await measure({ argv: step.argv, env: step.env, logFile: log, timeoutS: s.timeoutS, pin: s.pin, ...(step.cwd ? { cwd: step.cwd } : {}) });
  // Not measured: what the command left for the kernel to write back (a restored tree holds
  // 2 GB of dirty pages) is written now, not during the next tool's command.
  runChecked({ argv: ['sync'], env: cleanEnv(), logFile: join(s.logDir, 'sync.log') });
  const error = failure(m, step.okCodes ?? [0]);
  const sample: Sample = { ...m, subject: step.subject, phase: step.phase, round: step.round, load1, ok: error === undefined, ...(error ? { error: `${error} (log: ${log})` } : {}) };
  s.samples.push(sample);
  progress(`round ${step.round}: ${step.phase}, ${step.subject}: ${error ? `FAILED: ${sample.error}` : describe(m)}`);
  return sample;
}

/** Apparent size of a directory tree in bytes, as du -sb reports it. */
export function duBytes(dir: string, s: Session): number {
  const out = runChecked({ argv: ['du', '-sb', dir], env: cleanEnv(), logFile: join(s.logDir, 'du.log') });
  return Number(out.split(/\s/)[0]);
}

/** Tools taken in a different order each round, so that no tool always runs first. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
