// The backup tools under test: how to find them and the command line of each operation.
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolName } from './args.js';
import { tryOutput } from './run.js';

/** Where one tool keeps its repository, cache and logs in one round. */
export interface ToolContext {
  dir: string;
  repo: string;
  passwordFile: string;
  password: string;
  cores: number;
}

export interface Tool {
  name: ToolName;
  label: string;
  /** environment variables the tool needs on top of the cleaned environment */
  env(ctx: ToolContext): Record<string, string>;
  init(ctx: ToolContext): string[];
  backup(ctx: ToolContext, data: string, snapshotName: string): string[];
  /** restores the snapshot named (or the latest) when run in cwd = target */
  restore(ctx: ToolContext, target: string, snapshotName: string): string[];
  check(ctx: ToolContext): string[];
  /** exit codes that mean success (borg uses 1 for warnings) */
  okCodes: readonly number[];
  /** version line, or undefined when the tool is not installed */
  version(): string | undefined;
  installHint: string;
}

function packageVersion(repoRoot: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

export function lifeboatCli(repoRoot: string): string {
  return join(repoRoot, 'dist', 'src', 'bin', 'lifeboat.js');
}

/**
 * The node flags on the CLI's first line (`#!/usr/bin/env -S node FLAGS`): the program runs
 * with them when started as `lifeboat`, so the benchmark gives them too.
 */
export function launcherFlags(cli: string): string[] {
  let first: string;
  try {
    first = readFileSync(cli, 'utf8').split('\n', 1)[0]!;
  } catch {
    return [];
  }
  const m = /^#!\S*env -S node((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return m ? m[1]!.split(' ').filter((f) => f !== '') : [];
}

function lifeboat(repoRoot: string): Tool {
  const cli = lifeboatCli(repoRoot);
  const node = [process.execPath, ...launcherFlags(cli)];
  return {
    name: 'lifeboat',
    label: 'Lifeboat',
    env: (ctx) => ({ LIFEBOAT_PASSWORD_FILE: ctx.passwordFile }),
    init: (ctx) => [...node, cli, 'init', '-r', ctx.repo],
    backup: (ctx, data) => [...node, cli, 'backup', '-r', ctx.repo, data],
    restore: (ctx, target) => [...node, cli, 'restore', '-r', ctx.repo, 'latest', '--target', target],
    check: (ctx) => [...node, cli, 'check', '-r', ctx.repo, '--read-data'],
    okCodes: [0],
    version: () => (existsSync(cli) ? `lifeboat ${packageVersion(repoRoot)} (node ${process.version})` : undefined),
    installHint: `build Lifeboat first: npm run build (expected ${cli})`,
  };
}

function restic(): Tool {
  return {
    name: 'restic',
    label: 'restic',
    env: (ctx) => ({
      RESTIC_PASSWORD_FILE: ctx.passwordFile,
      RESTIC_CACHE_DIR: join(ctx.dir, 'cache'),
      GOMAXPROCS: String(ctx.cores),
    }),
    init: (ctx) => ['restic', '-r', ctx.repo, 'init', '--repository-version', '2'],
    backup: (ctx, data) => ['restic', '-r', ctx.repo, 'backup', '--compression', 'auto', data],
    restore: (ctx, target) => ['restic', '-r', ctx.repo, 'restore', 'latest', '--target', target],
    check: (ctx) => ['restic', '-r', ctx.repo, 'check', '--read-data'],
    okCodes: [0],
    version: () => tryOutput(['restic', 'version']),
    installHint: 'install restic 0.14: apt-get install restic',
  };
}

function borg(name: 'borg' | 'borg-zstd', compression: string): Tool {
  return {
    name,
    label: `borg (${compression})`,
    env: (ctx) => ({
      BORG_PASSPHRASE: ctx.password,
      BORG_BASE_DIR: join(ctx.dir, 'home'),
      BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'no',
    }),
    init: (ctx) => ['borg', 'init', '-e', 'repokey', ctx.repo],
    backup: (ctx, data, snapshotName) => ['borg', 'create', '--compression', compression, `${ctx.repo}::${snapshotName}`, data],
    restore: (ctx, _target, snapshotName) => ['borg', 'extract', `${ctx.repo}::${snapshotName}`],
    check: (ctx) => ['borg', 'check', '--verify-data', ctx.repo],
    okCodes: [0, 1],
    version: () => tryOutput(['borg', '--version']),
    installHint: 'install borg 1.2: apt-get install borgbackup',
  };
}

export function makeTool(name: ToolName, repoRoot: string): Tool {
  switch (name) {
    case 'lifeboat':
      return lifeboat(repoRoot);
    case 'restic':
      return restic();
    case 'borg':
      return borg('borg', 'lz4');
    case 'borg-zstd':
      return borg('borg-zstd', 'zstd,3');
  }
}

/** The inherited environment without any other repository, password or cache settings. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(RESTIC_|LIFEBOAT_|BORG_|GOMAXPROCS$|GOGC$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

export function toolEnv(tool: Tool, ctx: ToolContext): NodeJS.ProcessEnv {
  return { ...cleanEnv(), ...tool.env(ctx) };
}

/**
 * A private copy of the Lifeboat build (dist/src, package.json, the native addon; node_modules linked) in
 * the run's directory. Others rebuild dist/ while the benchmark runs; Lifeboat loads worker scripts from
 * it at run time, so a rebuild mid-run would mix builds or break a worker.
 */
export function freezeLifeboat(repoRoot: string, runDir: string): string {
  const root = join(runDir, 'lifeboat-build');
  mkdirSync(root, { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  cpSync(join(repoRoot, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  const native = join(repoRoot, 'native', 'build');
  if (existsSync(native)) cpSync(native, join(root, 'native', 'build'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  return root;
}
