// Runs commands: measured ones under GNU time (child CPU time and peak RSS), setup ones plainly.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, rmSync } from 'node:fs';

export const TIME_BIN = '/usr/bin/time';

export interface Measurement {
  /** wall-clock seconds, measured by the benchmark around the whole command */
  wallS: number;
  /** user CPU seconds of the command and the children it waited for */
  userS: number;
  sysS: number;
  cpuS: number;
  /** largest resident set size of the command or one of its children, KiB */
  maxRssKiB: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

export interface CommandSpec {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr of the command are appended here */
  logFile: string;
}

export interface MeasureSpec extends CommandSpec {
  timeoutS: number;
  /** argv prefix that pins the command to CPUs, e.g. ['taskset', '-c', '0-1'] */
  pin: string[];
}

interface TimeFigures {
  userS: number;
  sysS: number;
  maxRssKiB: number;
}

/** GNU time writes "Command exited with non-zero status N" or "...terminated by signal" before the figures. */
export function parseTimeOutput(text: string): TimeFigures | undefined {
  const lines = text.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const parts = last.trim().split(/\s+/).map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined;
  const [, userS, sysS, maxRssKiB] = parts as [number, number, number, number];
  return { userS, sysS, maxRssKiB };
}

function readTimeFile(path: string): TimeFigures | undefined {
  try {
    return parseTimeOutput(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  } finally {
    rmSync(path, { force: true });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const running = new Set<number>();

/** Kills every measured command still running (for an interrupted benchmark). */
export function killRunning(): void {
  for (const pid of running) killGroup(pid);
}

/** Runs one command under /usr/bin/time in its own process group; kills the group after timeoutS. */
export async function measure(spec: MeasureSpec): Promise<Measurement> {
  const timeFile = `${spec.logFile}.time`;
  const argv = [TIME_BIN, '-f', '%e %U %S %M', '-o', timeFile, ...spec.pin, ...spec.argv];
  const log = openSync(spec.logFile, 'a');
  appendFileSync(log, `$ ${spec.argv.join(' ')}\n`);
  const started = process.hrtime.bigint();
  let timedOut = false;
  try {
    const child = spawn(argv[0]!, argv.slice(1), { env: spec.env, cwd: spec.cwd, stdio: ['ignore', log, log], detached: true });
    if (child.pid !== undefined) running.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, spec.timeoutS * 1000);
    const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve([code, sig]));
    });
    clearTimeout(timer);
    if (child.pid !== undefined) running.delete(child.pid);
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const figures = readTimeFile(timeFile) ?? { userS: NaN, sysS: NaN, maxRssKiB: NaN };
    return { wallS, ...figures, cpuS: Math.round((figures.userS + figures.sysS) * 100) / 100, exitCode, signal, timedOut };
  } finally {
    closeSync(log);
  }
}

/** Runs a setup command to completion; throws with the tail of its output if it fails. */
export function runChecked(spec: CommandSpec, okCodes: readonly number[] = [0]): string {
  const r = spawnSync(spec.argv[0]!, spec.argv.slice(1), { env: spec.env, cwd: spec.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  appendFileSync(spec.logFile, `$ ${spec.argv.join(' ')}\n${output}`);
  if (r.error) throw new Error(`${spec.argv[0]}: ${r.error.message}`);
  if (r.status === null || !okCodes.includes(r.status)) {
    throw new Error(`${spec.argv.join(' ')} failed (exit ${r.status ?? r.signal}):\n${output.slice(-2000)}`);
  }
  return r.stdout ?? '';
}

/** Output of a small query command, or undefined if it cannot run. */
export function tryOutput(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const r = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim();
}
