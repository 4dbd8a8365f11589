// What the figures were measured on.
import { availableParallelism, cpus, freemem, loadavg, release, totalmem } from 'node:os';
import type { Tool } from './tools.js';
import { tryOutput } from './run.js';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryBytes: number;
  freeMemoryBytes: number;
  kernel: string;
  node: string;
  loadAverage: number[];
  versions: Record<string, string>;
  lifeboatCommit?: string;
  lifeboatTreeDirty?: boolean;
  openssl?: string;
}

/** Read-only git queries: the commit measured, and whether the work tree differs from it. */
function gitState(repoRoot: string): { commit?: string; dirty?: boolean } {
  const commit = tryOutput(['git', '-C', repoRoot, 'rev-parse', 'HEAD']);
  const status = tryOutput(['git', '-C', repoRoot, 'status', '--porcelain', '--untracked-files=no']);
  return { ...(commit ? { commit } : {}), ...(status !== undefined ? { dirty: status !== '' } : {}) };
}

export function machineInfo(tools: readonly Tool[], repoRoot: string): MachineInfo {
  const versions: Record<string, string> = {};
  for (const t of tools) versions[t.name] = t.version() ?? 'not installed';
  const git = gitState(repoRoot);
  const openssl = tryOutput(['openssl', 'version']);
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    kernel: release(),
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    versions,
    ...(git.commit ? { lifeboatCommit: git.commit } : {}),
    ...(git.dirty !== undefined ? { lifeboatTreeDirty: git.dirty } : {}),
    ...(openssl ? { openssl } : {}),
  };
}

export function machineLine(m: MachineInfo): string {
  const gib = (b: number): string => (b / 2 ** 30).toFixed(1);
  const commit = m.lifeboatCommit ? `, Lifeboat ${m.lifeboatCommit.slice(0, 10)}${m.lifeboatTreeDirty ? ' + uncommitted changes' : ''}` : '';
  return `${m.nproc} CPUs (${m.cpuModel}), ${gib(m.memoryBytes)} GiB RAM, Linux ${m.kernel}, Node ${m.node}, load average at start ${m.loadAverage.join(' ')}${commit}`;
}
