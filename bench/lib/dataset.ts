// Finds or builds the benchmark dataset, and applies / reverts the "small change" scenario on it.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DatasetSize } from './args.js';
import { sizeLabel } from './args.js';
import { generateDataset } from './gen-data.js';
import { progress } from './log.js';
import { applyMutation, backupDir, revertMutation } from './mutate.js';
import { runChecked } from './run.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface Dataset {
  dir: string;
  size: DatasetSize;
  label: string;
  /** 'full' uses the shared make-data.sh / mutate.mjs; 'generated' uses this benchmark's own generator */
  kind: 'full' | 'generated';
}

export interface TreeStats {
  files: number;
  bytes: number;
  dirs: number;
}

/** Regular files, their total size and directories under dir (symlinks are not followed). */
export function treeStats(dir: string): TreeStats {
  const stats: TreeStats = { files: 0, bytes: 0, dirs: 0 };
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        stats.dirs++;
        walk(p);
      } else if (e.isFile()) {
        stats.files++;
        stats.bytes += lstatSync(p).size;
      }
    }
  };
  walk(dir);
  return stats;
}

function markerPath(dir: string): string {
  return dir.replace(/\/+$/, '') + '.complete.json';
}

interface Marker {
  generator: string;
  size: string;
}

const GENERATOR = 'lifeboat-bench-1';

function readMarker(dir: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(markerPath(dir), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

export function defaultDataDir(size: DatasetSize, workdir: string): string {
  const fromEnv = process.env['LIFEBOAT_BENCH_DATA'];
  if (size === 'full' && fromEnv) return resolve(fromEnv);
  return join(resolve(workdir), 'lifeboat-bench-data', sizeLabel(size));
}

function checkMakeDataPrerequisites(scripts: string): void {
  if (!existsSync(join(scripts, 'make-data.sh'))) throw new Error(`make-data.sh not found in ${scripts}; pass --scripts DIR`);
  if (!existsSync(join(PG_BIN, 'pg_dump'))) {
    throw new Error(`building the full dataset needs PostgreSQL 15's server binaries in ${PG_BIN}: apt-get install postgresql (or use --size small)`);
  }
  if (process.getuid?.() !== 0) throw new Error('make-data.sh runs PostgreSQL as the postgres user and must run as root (or use --size small)');
}

function buildFull(dir: string, scripts: string): void {
  checkMakeDataPrerequisites(scripts);
  progress(`building the 2 GiB dataset in ${dir} with make-data.sh (takes several minutes)`);
  runChecked({ argv: ['bash', join(scripts, 'make-data.sh'), dir], env: process.env, logFile: `${dir}.build.log` });
}

function buildGenerated(dir: string, mib: number): void {
  progress(`generating a ${mib} MiB dataset in ${dir}`);
  generateDataset(dir, mib);
}

/**
 * Uses an existing dataset when it is complete (marked as built by this benchmark, or a directory the
 * user named with --data), otherwise (re)builds it.
 */
export function ensureDataset(size: DatasetSize, dataOption: string | undefined, workdir: string, scripts: string): Dataset {
  const dir = resolve(dataOption ?? defaultDataDir(size, workdir));
  const label = sizeLabel(size);
  const dataset: Dataset = { dir, size, label, kind: size === 'full' ? 'full' : 'generated' };
  const marker = readMarker(dir);
  const complete = marker !== undefined && marker.size === label;
  if (existsSync(dir) && (complete || dataOption !== undefined)) {
    progress(`using the dataset in ${dir}`);
    return dataset;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  if (size === 'full') buildFull(dir, scripts);
  else buildGenerated(dir, size);
  writeFileSync(markerPath(dir), JSON.stringify({ generator: size === 'full' ? 'make-data.sh' : GENERATOR, size: label }) + '\n');
  return dataset;
}

export interface Mutator {
  apply(): void;
  revert(): void;
  /** true while the data is in the changed state */
  pending(): boolean;
}

function runMutateScript(scripts: string, mode: 'apply' | 'revert', dir: string): void {
  const out = runChecked({ argv: [process.execPath, join(scripts, 'mutate.mjs'), mode, dir], env: process.env, logFile: `${dir}.mutate.log` });
  progress(out.trim());
}

/** mutate.mjs for the full dataset (as issue #3 specifies), this benchmark's port for generated ones. */
export function makeMutator(dataset: Dataset, scripts: string): Mutator {
  const pending = (): boolean => existsSync(backupDir(dataset.dir));
  if (dataset.kind === 'full') {
    return {
      apply: () => runMutateScript(scripts, 'apply', dataset.dir),
      revert: () => runMutateScript(scripts, 'revert', dataset.dir),
      pending,
    };
  }
  return {
    apply: () => progress(applyMutation(dataset.dir)),
    revert: () => progress(revertMutation(dataset.dir)),
    pending,
  };
}
