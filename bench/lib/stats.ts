// Medians over rounds, Lifeboat/other ratios, and issue #3's targets.
import type { ToolName, ToolPhase } from './args.js';
import type { Measurement } from './run.js';

/** One measured command: a tool's phase, or a floor command (subject 'floor'). */
export interface Sample extends Measurement {
  subject: string;
  phase: string;
  round: number;
  ok: boolean;
  error?: string;
  /** 1-minute load average when the command started: other work on the machine skews the figures */
  load1: number;
}

export interface Median {
  subject: string;
  phase: string;
  /** successful rounds the median is taken over */
  n: number;
  failed: number;
  wallS: number;
  cpuS: number;
  maxRssKiB: number;
}

export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function medianOf(samples: readonly Sample[], subject: string, phase: string): Median | undefined {
  const all = samples.filter((s) => s.subject === subject && s.phase === phase);
  if (all.length === 0) return undefined;
  const ok = all.filter((s) => s.ok);
  return {
    subject,
    phase,
    n: ok.length,
    failed: all.length - ok.length,
    wallS: median(ok.map((s) => s.wallS)),
    cpuS: median(ok.map((s) => s.cpuS)),
    maxRssKiB: median(ok.map((s) => s.maxRssKiB)),
  };
}

/** Every (subject, phase) pair in the order first seen. */
export function allMedians(samples: readonly Sample[]): Median[] {
  const seen = new Set<string>();
  const out: Median[] = [];
  for (const s of samples) {
    const key = `${s.subject}\u0000${s.phase}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const m = medianOf(samples, s.subject, s.phase);
    if (m) out.push(m);
  }
  return out;
}

export type Metric = 'wallS' | 'cpuS' | 'maxRssKiB' | 'repoBytes';

/** Issue #3: Lifeboat / other tool, wall time per phase, peak RSS in every phase, repository size. */
export const WALL_TARGETS: Readonly<Record<ToolPhase, number>> = { first: 0.75, unchanged: 0.5, changed: 0.8, restore: 0.8, check: 0.8 };
export const RSS_TARGET = 1.5;
export const SIZE_TARGET = 1.02;

export function targetFor(metric: Metric, phase: ToolPhase | 'size'): number | undefined {
  if (metric === 'repoBytes') return SIZE_TARGET;
  if (metric === 'maxRssKiB') return RSS_TARGET;
  if (metric === 'wallS' && phase !== 'size') return WALL_TARGETS[phase];
  return undefined;
}

export interface Ratio {
  phase: ToolPhase | 'size';
  metric: Metric;
  against: ToolName;
  lifeboat: number;
  other: number;
  ratio: number;
  target?: number;
  pass?: boolean;
}

export function ratio(phase: ToolPhase | 'size', metric: Metric, against: ToolName, lifeboat: number, other: number): Ratio {
  const r = lifeboat / other;
  const target = targetFor(metric, phase);
  const result: Ratio = { phase, metric, against, lifeboat, other, ratio: r };
  if (target !== undefined) {
    result.target = target;
    result.pass = Number.isFinite(r) && r <= target;
  }
  return result;
}

/** "min a, median b, max c" of the 1-minute load average at the start of each measured command. */
export function loadSummary(samples: readonly Sample[]): string {
  const loads = samples.map((s) => s.load1).filter((x) => Number.isFinite(x));
  if (loads.length === 0) return '';
  return `min ${Math.min(...loads).toFixed(2)}, median ${median(loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)}`;
}
