// Checks that every program the benchmark runs is installed, and says how to install what is missing.
import { existsSync } from 'node:fs';
import { TIME_BIN, tryOutput } from './run.js';
import type { Tool } from './tools.js';

interface Program {
  argv: string[];
  hint: string;
}

const BASE_PROGRAMS: readonly Program[] = [
  { argv: ['bash', '--version'], hint: 'apt-get install bash' },
  { argv: ['tar', '--version'], hint: 'apt-get install tar' },
  { argv: ['du', '--version'], hint: 'apt-get install coreutils' },
  { argv: ['openssl', 'version'], hint: 'apt-get install openssl' },
  { argv: ['xargs', '--version'], hint: 'apt-get install findutils' },
];

/** Problems found, one line each with the install command; empty when everything is there. */
export function missingPrerequisites(tools: readonly Tool[], needTaskset: boolean): string[] {
  const problems: string[] = [];
  if (!existsSync(TIME_BIN)) problems.push(`${TIME_BIN} (GNU time) is missing: apt-get install time`);
  const programs = needTaskset ? [...BASE_PROGRAMS, { argv: ['taskset', '--version'], hint: 'apt-get install util-linux' }] : BASE_PROGRAMS;
  for (const p of programs) {
    if (tryOutput(p.argv) === undefined) problems.push(`${p.argv[0]} is missing: ${p.hint}`);
  }
  for (const t of tools) {
    if (t.version() === undefined) problems.push(`${t.label} is missing: ${t.installHint}`);
  }
  return problems;
}
