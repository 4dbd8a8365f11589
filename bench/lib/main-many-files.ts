// The many-small-files scenario: first backup and unchanged re-backup at 100,000 and N files.
import type { ToolName } from './args.js';
import type { BenchContext } from './context.js';
import { columns, dateLabel, describeMachine, prepareTools, withFrozenLifeboat } from './context.js';
import { measureFloorRead, warmUp } from './floor.js';
import { onInterrupt } from './interrupt.js';
import { progress } from './log.js';
import type { MachineInfo } from './machine.js';
import { machineLine } from './machine.js';
import { ensureManyFiles, fileCounts, growth, manyFilesPhase, runManyFilesRound } from './many-files.js';
import type { Growth } from './many-files.js';
import { growthTable, manyFilesTable } from './report.js';
import { writeResults } from './results.js';
import type { Session } from './session.js';
import { closeSession, openSession } from './session.js';
import type { Median } from './stats.js';
import { allMedians, loadSummary } from './stats.js';
import type { Tool } from './tools.js';

function toolNames(c: BenchContext): ToolName[] {
  return c.opts.onlyGiven ? c.opts.tools : ['lifeboat', 'restic'];
}

function floorLines(medians: readonly Median[], counts: readonly number[]): string[] {
  const lines: string[] = [];
  for (const n of counts) {
    const m = medians.find((x) => x.subject === 'floor' && x.phase === manyFilesPhase('read', n));
    if (m) lines.push(`- reading all ${n.toLocaleString('en-US')} files (tar | cat): ${m.wallS.toFixed(2)} s`);
  }
  return lines;
}

function markdown(c: BenchContext, tools: readonly Tool[], machine: MachineInfo, session: Session, counts: number[], medians: Median[], grows: Growth[]): string {
  const labels = Object.fromEntries(tools.map((t) => [t.name, t.label]));
  const fails = session.samples.filter((s) => !s.ok).map((s) => `- round ${s.round}, ${s.subject} ${s.phase}: ${s.error ?? 'failed'}`);
  const floor = floorLines(medians, counts);
  return [
    `# Lifeboat benchmark: many small files, ${dateLabel(c.startedAt)}`,
    '',
    `- Trees of ${counts.map((n) => n.toLocaleString('en-US')).join(' and ')} files of 64 to 1024 bytes, 1000 per directory`,
    `- Rounds: ${c.opts.rounds}, medians shown; every measured command limited to ${session.cores} CPU(s)`,
    `- Tools: ${tools.map((t) => `${t.label}: ${machine.versions[t.name]?.split('\n')[0] ?? '?'}`).join('; ')}`,
    `- Machine: ${machineLine(machine)}`,
    `- Load average (1 min) as the measured commands started: ${loadSummary(session.samples)}`,
    '',
    ...manyFilesTable(medians, columns(tools), counts, manyFilesPhase),
    '',
    ...(grows.length > 0 ? ['Growth from the smaller to the larger tree:', '', ...growthTable(grows, labels), ''] : []),
    ...(floor.length > 0 ? ['Floor:', '', ...floor, ''] : []),
    ...(fails.length > 0 ? ['Failures:', '', ...fails, ''] : []),
  ].join('\n');
}

async function runCount(c: BenchContext, session: Session, tools: readonly Tool[], count: number): Promise<void> {
  const data = ensureManyFiles(c.opts.workdir, count);
  warmUp(session, data);
  for (let r = 1; r <= c.opts.rounds; r++) {
    if (c.opts.phases.includes('floor')) await measureFloorRead(session, r, data, manyFilesPhase('read', count));
    await runManyFilesRound(session, r, data, count, tools, c.opts.phases);
  }
}

export async function runManyFiles(c: BenchContext): Promise<void> {
  const checked = prepareTools(c, toolNames(c));
  const machine = describeMachine(c, checked);
  const counts = fileCounts(c.opts.files);
  const session = openSession(c.opts.workdir, c.opts.cores, c.opts.timeoutS, c.opts.keep);
  const tools = withFrozenLifeboat(c, checked, session.runDir);
  const done = onInterrupt(() => closeSession(session));
  try {
    for (const count of counts) await runCount(c, session, tools, count);
    const medians = allMedians(session.samples);
    const grows = growth(medians, tools.map((t) => t.name), counts);
    const md = markdown(c, tools, machine, session, counts, medians, grows);
    process.stdout.write(md + '\n');
    const json = {
      scenario: 'many-files', startedAt: c.startedAt.toISOString(), finishedAt: new Date().toISOString(), options: c.opts, cores: session.cores, pin: session.pin,
      machine, counts, samples: session.samples, medians, growth: grows,
    };
    const files = writeResults(c.resultsDir, `many-files-${c.opts.files}`, c.startedAt, json, md + '\n');
    progress(`results: ${files.join(', ')}`);
  } finally {
    done();
    closeSession(session);
  }
}
