// Markdown tables of the medians and the Lifeboat/other ratios against issue #3's targets.
import type { ToolName, ToolPhase } from './args.js';
import { TOOL_PHASES } from './args.js';
import type { Median, Metric, Ratio } from './stats.js';
import { ratio } from './stats.js';

export const PHASE_TITLES: Readonly<Record<string, string>> = {
  first: 'first backup',
  unchanged: 'unchanged re-backup',
  changed: '1% changed + dump appended',
  restore: 'restore latest snapshot',
  check: 'check, reading all data',
  read: 'read the dataset (tar \\| cat)',
  sha256: 'SHA-256 of all files (openssl, 1 core)',
  copy: 'cp -r of the dataset',
};

const METRIC_TITLES: Readonly<Record<Exclude<Metric, 'repoBytes'>, string>> = { wallS: 'wall', cpuS: 'CPU (user+sys)', maxRssKiB: 'peak RSS' };

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

export function formatRss(kib: number): string {
  return Number.isFinite(kib) ? `${Math.round(kib / 1024)} MiB` : '–';
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(3)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function formatMetric(metric: Metric, value: number): string {
  if (metric === 'repoBytes') return formatBytes(value);
  if (metric === 'maxRssKiB') return formatRss(value);
  return formatSeconds(value);
}

export function formatRatio(r: Ratio | undefined): string {
  if (r === undefined || !Number.isFinite(r.ratio)) return '–';
  const text = r.ratio.toFixed(2);
  if (r.pass === undefined) return text;
  return `${text} ${r.pass ? 'PASS' : '**FAIL**'}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function header(cells: readonly string[]): string[] {
  return [row(cells), row(cells.map((_, i) => (i === 0 ? '---' : '---:')))];
}

export interface ToolColumn {
  name: ToolName;
  label: string;
}

export interface Comparison {
  medians: Median[];
  repoBytes: Partial<Record<ToolName, number>>;
}

function medianValue(c: Comparison, tool: ToolName, phase: string, metric: Metric): number {
  if (metric === 'repoBytes') return c.repoBytes[tool] ?? NaN;
  const m = c.medians.find((x) => x.subject === tool && x.phase === phase);
  return m === undefined || m.n === 0 ? NaN : m[metric];
}

function medianCell(c: Comparison, tool: ToolName, phase: string, metric: Metric): string {
  const m = c.medians.find((x) => x.subject === tool && x.phase === phase);
  const text = formatMetric(metric, medianValue(c, tool, phase, metric));
  if (metric !== 'repoBytes' && m !== undefined && m.failed > 0) return `${text} (${m.failed} failed)`;
  return text;
}

/** Every Lifeboat/other ratio of the comparison, with PASS/FAIL where issue #3 sets a target. */
export function computeRatios(c: Comparison, tools: readonly ToolColumn[], phases: readonly ToolPhase[]): Ratio[] {
  if (!tools.some((t) => t.name === 'lifeboat')) return [];
  const out: Ratio[] = [];
  for (const other of tools.filter((t) => t.name !== 'lifeboat')) {
    for (const phase of phases) {
      for (const metric of ['wallS', 'cpuS', 'maxRssKiB'] as const) {
        out.push(ratio(phase, metric, other.name, medianValue(c, 'lifeboat', phase, metric), medianValue(c, other.name, phase, metric)));
      }
    }
    if (phases.includes('first')) out.push(ratio('size', 'repoBytes', other.name, c.repoBytes['lifeboat'] ?? NaN, c.repoBytes[other.name] ?? NaN));
  }
  return out;
}

function targetText(r: Ratio | undefined): string {
  return r?.target === undefined ? '' : `≤ ${r.target}`;
}

/** The main table: one row per phase and metric, tool medians, then Lifeboat/other ratios. */
export function comparisonTable(c: Comparison, tools: readonly ToolColumn[], phases: readonly ToolPhase[], ratios: readonly Ratio[]): string[] {
  const others = tools.filter((t) => t.name !== 'lifeboat');
  const hasLifeboat = others.length < tools.length && others.length > 0;
  const ratioHeads = hasLifeboat ? others.map((o) => `Lifeboat/${o.label}`) : [];
  const lines = header(['phase', 'metric', ...tools.map((t) => t.label), ...ratioHeads, ...(hasLifeboat ? ['target'] : [])]);
  const addRow = (phase: ToolPhase | 'size', metric: Metric, title: string, metricTitle: string): void => {
    const rs = others.map((o) => ratios.find((r) => r.phase === phase && r.metric === metric && r.against === o.name));
    const cells = [title, metricTitle, ...tools.map((t) => medianCell(c, t.name, phase, metric))];
    if (hasLifeboat) cells.push(...rs.map(formatRatio), targetText(rs[0]));
    lines.push(row(cells));
  };
  for (const phase of TOOL_PHASES.filter((p) => phases.includes(p))) {
    for (const metric of ['wallS', 'cpuS', 'maxRssKiB'] as const) addRow(phase, metric, PHASE_TITLES[phase]!, METRIC_TITLES[metric]);
  }
  if (phases.includes('first')) addRow('size', 'repoBytes', 'repository size after first backup', 'du -sb');
  return lines;
}

export function floorTable(medians: readonly Median[]): string[] {
  const floor = medians.filter((m) => m.subject === 'floor');
  if (floor.length === 0) return [];
  const lines = header(['floor', 'wall', 'CPU (user+sys)', 'peak RSS']);
  for (const m of floor) lines.push(row([PHASE_TITLES[m.phase] ?? m.phase, formatSeconds(m.wallS), formatSeconds(m.cpuS), formatRss(m.maxRssKiB)]));
  return lines;
}

export function verdictLine(ratios: readonly Ratio[]): string {
  const judged = ratios.filter((r) => r.pass !== undefined);
  if (judged.length === 0) return '';
  const failed = judged.filter((r) => !r.pass);
  const against = [...new Set(failed.map((r) => r.against))];
  const name = (r: Ratio): string => (r.metric === 'repoBytes' ? 'repository size' : `${r.phase} ${r.metric === 'wallS' ? 'wall' : 'RSS'}`);
  const lists = against.map((a) => `failing against ${a}: ${failed.filter((r) => r.against === a).map(name).join(', ')}`);
  return [`Targets met: ${judged.length - failed.length} of ${judged.length}`, ...lists].join('; ');
}

/** Many-files scenario: medians per file count and phase, Lifeboat/other ratios of wall time and peak RSS. */
export function manyFilesTable(medians: readonly Median[], tools: readonly ToolColumn[], counts: readonly number[], phaseName: (phase: string, files: number) => string): string[] {
  const others = tools.filter((t) => t.name !== 'lifeboat');
  const hasLifeboat = others.length < tools.length && others.length > 0;
  const heads = ['files', 'phase', ...tools.flatMap((t) => [`${t.label} wall`, `${t.label} peak RSS`])];
  if (hasLifeboat) heads.push(...others.flatMap((o) => [`Lifeboat/${o.label} wall`, `Lifeboat/${o.label} RSS`]));
  const lines = header(heads);
  const find = (tool: ToolName, phase: string): Median | undefined => medians.find((m) => m.subject === tool && m.phase === phase && m.n > 0);
  for (const count of counts) {
    for (const phase of ['first', 'unchanged']) {
      const key = phaseName(phase, count);
      if (!tools.some((t) => find(t.name, key))) continue;
      const cells = [count.toLocaleString('en-US'), PHASE_TITLES[phase]!];
      for (const t of tools) {
        const m = find(t.name, key);
        cells.push(formatSeconds(m?.wallS ?? NaN), formatRss(m?.maxRssKiB ?? NaN));
      }
      if (hasLifeboat) {
        const lb = find('lifeboat', key);
        for (const o of others) {
          const om = find(o.name, key);
          cells.push(ratioText((lb?.wallS ?? NaN) / (om?.wallS ?? NaN)), ratioText((lb?.maxRssKiB ?? NaN) / (om?.maxRssKiB ?? NaN)));
        }
      }
      lines.push(row(cells));
    }
  }
  return lines;
}

function ratioText(r: number): string {
  return Number.isFinite(r) ? r.toFixed(2) : '–';
}

export interface GrowthRow {
  tool: ToolName;
  phase: string;
  from: number;
  to: number;
  wallRatio: number;
  rssRatio: number;
}

export function growthTable(rows: readonly GrowthRow[], labels: Readonly<Record<string, string>>): string[] {
  if (rows.length === 0) return [];
  const first = rows[0]!;
  const lines = header(['tool', 'phase', `wall, ${first.to.toLocaleString('en-US')} / ${first.from.toLocaleString('en-US')} files`, 'peak RSS, same']);
  for (const g of rows) lines.push(row([labels[g.tool] ?? g.tool, PHASE_TITLES[g.phase] ?? g.phase, `× ${ratioText(g.wallRatio)}`, `× ${ratioText(g.rssRatio)}`]));
  return lines;
}
