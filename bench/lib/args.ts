// Command-line options of the benchmark (node:util parseArgs, no dependencies).
import { parseArgs } from 'node:util';
import { availableParallelism, tmpdir } from 'node:os';

export const ALL_TOOLS = ['lifeboat', 'restic', 'borg', 'borg-zstd'] as const;
export type ToolName = (typeof ALL_TOOLS)[number];
export const DEFAULT_TOOLS: readonly ToolName[] = ['lifeboat', 'restic', 'borg'];

export const ALL_PHASES = ['floor', 'first', 'unchanged', 'changed', 'restore', 'check'] as const;
export type Phase = (typeof ALL_PHASES)[number];
/** Phases that run a backup tool (floor is the plain read/hash baseline). */
export type ToolPhase = Exclude<Phase, 'floor'>;
export const TOOL_PHASES: readonly ToolPhase[] = ['first', 'unchanged', 'changed', 'restore', 'check'];

/** 'full' = the 2 GiB reference dataset (make-data.sh); a number = a generated dataset of that many MiB. */
export type DatasetSize = 'full' | number;

export interface Options {
  rounds: number;
  tools: ToolName[];
  /** whether --only was given (the many-files scenario defaults to Lifeboat and restic) */
  onlyGiven: boolean;
  phases: Phase[];
  size: DatasetSize;
  data: string | undefined;
  workdir: string;
  scripts: string | undefined;
  results: string | undefined;
  cores: number;
  timeoutS: number;
  keep: boolean;
  manyFiles: boolean;
  files: number;
  help: boolean;
}

export const SMALL_MIB = 200;

export const USAGE = `Usage: npm run bench -- [options]

Runs issue #3's benchmark: Lifeboat against restic 0.14 and borg 1.2 on the same data.

Options:
  --rounds N        rounds, medians reported (default 3)
  --only LIST       tools, comma-separated: lifeboat,restic,borg,borg-zstd (default lifeboat,restic,borg)
  --phases LIST     floor,first,unchanged,changed,restore,check (default all)
  --size S          full (the 2 GiB reference dataset, default), small (${SMALL_MIB} MiB) or a number of MiB
                    (a generated dataset with the same kinds of content)
  --data DIR        dataset directory; built there if it does not exist
                    (default: WORKDIR/lifeboat-bench-data/SIZE; for --size full
                    $LIFEBOAT_BENCH_DATA if set)
  --workdir DIR     where repositories, restores and generated data go (default ${tmpdir()})
  --scripts DIR     the shared dataset scripts (make-data.sh, mutate.mjs; default ../shared/bench beside the repo)
  --results DIR     where to write <date>-<size>.json/.md (default bench/results)
  --cores N         CPUs for every measured command (taskset; GOMAXPROCS for restic) (default min(2, nproc))
  --timeout S       seconds before a measured command is killed and recorded as failed (default 900)
  --keep            keep repositories and restores under the work directory
  --many-files      run the many-small-files scenario instead (Lifeboat vs restic, first + unchanged backup)
  --files N         largest file count of --many-files (default 1000000; 100000 is run too)
  -h, --help        this text`;

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not "${text}"`);
  return n;
}

function pickList<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new Error(`${name}: unknown "${item}" (known: ${allowed.join(', ')})`);
  }
  if (items.length === 0) throw new Error(`${name} needs at least one item`);
  return allowed.filter((a) => items.includes(a));
}

export function parseSize(text: string): DatasetSize {
  if (text === 'full') return 'full';
  if (text === 'small') return SMALL_MIB;
  const mib = positiveInt('--size', text.replace(/mib$/i, ''));
  if (mib < 8) throw new Error('--size must be at least 8 MiB');
  return mib;
}

export function sizeLabel(size: DatasetSize): string {
  return size === 'full' ? 'full' : `${size}mib`;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' },
      only: { type: 'string' },
      phases: { type: 'string' },
      size: { type: 'string' },
      data: { type: 'string' },
      workdir: { type: 'string' },
      scripts: { type: 'string' },
      results: { type: 'string' },
      cores: { type: 'string' },
      timeout: { type: 'string' },
      keep: { type: 'boolean' },
      'many-files': { type: 'boolean' },
      files: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return {
    rounds: values.rounds === undefined ? 3 : positiveInt('--rounds', values.rounds),
    tools: values.only === undefined ? [...DEFAULT_TOOLS] : pickList('--only', values.only, ALL_TOOLS),
    onlyGiven: values.only !== undefined,
    phases: values.phases === undefined ? [...ALL_PHASES] : pickList('--phases', values.phases, ALL_PHASES),
    size: values.size === undefined ? 'full' : parseSize(values.size),
    data: values.data,
    workdir: values.workdir ?? tmpdir(),
    scripts: values.scripts,
    results: values.results,
    cores: values.cores === undefined ? Math.min(2, availableParallelism()) : positiveInt('--cores', values.cores),
    timeoutS: values.timeout === undefined ? 900 : positiveInt('--timeout', values.timeout),
    keep: values.keep ?? false,
    manyFiles: values['many-files'] ?? false,
    files: values.files === undefined ? 1_000_000 : positiveInt('--files', values.files),
    help: values.help ?? false,
  };
}
