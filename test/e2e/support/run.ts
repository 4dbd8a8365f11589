// Helpers to spawn the built Lifeboat CLI and the real restic binary from e2e tests.
// Passwords always travel through files or the environment, never through argv.
import { spawn, spawnSync, type SpawnSyncReturns, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test/e2e/support → dist/src/bin/lifeboat.js */
export const LIFEBOAT_CLI = resolve(here, '../../../src/bin/lifeboat.js');
export const RESTIC = process.env['LIFEBOAT_E2E_RESTIC'] ?? '/usr/bin/restic';

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for assertion messages. */
  readonly what: string;
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
}

/** process.env without anything that would point Lifeboat or restic elsewhere. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('LIFEBOAT_') || k.startsWith('RESTIC_')) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out;
}

function toResult(r: SpawnSyncReturns<string>, what: string): RunResult {
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw new Error(`cannot run ${what}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', what };
}

/** Describes a result for assertion messages (stdout/stderr cut to a readable size). */
export function describe(r: RunResult): string {
  const cut = (s: string) => (s.length > 3000 ? s.slice(0, 1500) + '\n…\n' + s.slice(-1500) : s);
  return `${r.what}\n  exit ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}\n  stdout: ${cut(r.stdout)}\n  stderr: ${cut(r.stderr)}`;
}

export function expectExit(r: RunResult, code: number): RunResult {
  assert.equal(r.status, code, `expected exit ${code}:\n${describe(r)}`);
  return r;
}

/** Per-repository settings for both tools. */
export interface RepoCtx {
  readonly repo: string;
  readonly passwordFile: string;
}

export function lifeboatEnv(ctx: Partial<RepoCtx>, extra: Record<string, string | undefined> = {}): Record<string, string> {
  return cleanEnv({
    LIFEBOAT_KDF_N: '1024',
    ...(ctx.repo ? { LIFEBOAT_REPOSITORY: ctx.repo } : {}),
    ...(ctx.passwordFile ? { LIFEBOAT_PASSWORD_FILE: ctx.passwordFile } : {}),
    ...extra,
  });
}

/** Runs `node dist/src/bin/lifeboat.js ARGS` with the repository and password in the environment. */
export function lifeboat(ctx: Partial<RepoCtx>, args: readonly string[], opts: RunOptions = {}): RunResult {
  assert.ok(existsSync(LIFEBOAT_CLI), `the Lifeboat CLI is not built at ${LIFEBOAT_CLI}; run "npx tsc -p ." first`);
  const r = spawnSync(process.execPath, [LIFEBOAT_CLI, ...args], {
    env: opts.env ?? lifeboatEnv(ctx),
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 180_000,
  });
  return toResult(r, `lifeboat ${args.join(' ')}`);
}

/** Starts Lifeboat without waiting (for kill tests and held processes). */
export function lifeboatSpawn(ctx: Partial<RepoCtx>, args: readonly string[], opts: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [LIFEBOAT_CLI, ...args], { env: opts.env ?? lifeboatEnv(ctx), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function resticEnv(ctx: Partial<RepoCtx>, extra: Record<string, string | undefined> = {}): Record<string, string> {
  return cleanEnv({
    ...(ctx.repo ? { RESTIC_REPOSITORY: ctx.repo } : {}),
    ...(ctx.passwordFile ? { RESTIC_PASSWORD_FILE: ctx.passwordFile } : {}),
    RESTIC_CACHE_DIR: join(tmpdir(), 'lifeboat-e2e-restic-cache'),
    ...extra,
  });
}

let resticChecked = false;
/** Fails (never skips) when restic 0.14 is not there: these tests exist to compare with it. */
export function requireRestic(): void {
  if (resticChecked) return;
  const r = spawnSync(RESTIC, ['version'], { encoding: 'utf8' });
  assert.ok(!r.error && r.status === 0, `restic is required for the e2e tests and was not found at ${RESTIC} (${r.error?.message ?? r.stderr}); install restic 0.14 or set LIFEBOAT_E2E_RESTIC`);
  assert.match(r.stdout, /restic 0\.14\./, `the e2e tests expect restic 0.14, found: ${r.stdout.trim()}`);
  resticChecked = true;
}

export function restic(ctx: Partial<RepoCtx>, args: readonly string[], opts: RunOptions = {}): RunResult {
  requireRestic();
  const r = spawnSync(RESTIC, [...args], {
    env: opts.env ?? resticEnv(ctx),
    cwd: opts.cwd,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 180_000,
  });
  return toResult(r, `restic ${args.join(' ')}`);
}

/** The last JSON line of a `--json` stdout (restic prints status lines first, then the summary). */
export function lastJson<T = Record<string, unknown>>(r: RunResult): T {
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 0, `no JSON output:\n${describe(r)}`);
  try {
    return JSON.parse(lines[lines.length - 1]!) as T;
  } catch (e) {
    assert.fail(`stdout is not JSON (${(e as Error).message}):\n${describe(r)}`);
  }
}

/** Every non-empty stdout line must parse as JSON (a single document or JSON lines). */
export function parseJsonOutput(r: RunResult): unknown[] {
  const text = r.stdout.trim();
  assert.ok(text !== '', `expected JSON on stdout, got nothing:\n${describe(r)}`);
  try {
    return [JSON.parse(text)];
  } catch {
    return text.split('\n').filter((l) => l.trim() !== '').map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        return assert.fail(`line ${i + 1} of stdout is not JSON (${(e as Error).message}): ${l.slice(0, 200)}\n${describe(r)}`);
      }
    });
  }
}

/** A temporary directory removed when the returned `cleanup` runs (call it from `after`). */
export class TempDir {
  readonly path: string;
  constructor(prefix = 'lifeboat-e2e-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }
  join(...parts: string[]): string {
    return join(this.path, ...parts);
  }
  cleanup(): void {
    if (process.env['LIFEBOAT_E2E_KEEP']) {
      process.stderr.write(`keeping ${this.path} (LIFEBOAT_E2E_KEEP)\n`);
      return;
    }
    rmSync(this.path, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Writes a password file (mode 0600) and returns a context for a repository path. */
export function repoCtx(dir: TempDir, name: string, password = `pw-${name}-correct horse`): RepoCtx {
  const passwordFile = dir.join(`${name}.password`);
  writeFileSync(passwordFile, password + '\n');
  chmodSync(passwordFile, 0o600);
  return { repo: dir.join(name), passwordFile };
}

/** `lifeboat init` and assert success. */
export function lifeboatInit(ctx: RepoCtx): void {
  expectExit(lifeboat(ctx, ['init', '--json']), 0);
}

/** `restic init` (format v2) and assert success. */
export function resticInit(ctx: RepoCtx): void {
  expectExit(restic(ctx, ['init', '--repository-version', '2']), 0);
}

/** The full ID of the newest snapshot, via restic's JSON listing. */
export function resticLatestSnapshot(ctx: RepoCtx): { id: string; paths: string[] } {
  const r = expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0);
  const list = JSON.parse(r.stdout) as { id: string; time: string; paths: string[] }[];
  assert.ok(list.length > 0, `no snapshots:\n${describe(r)}`);
  list.sort((a, b) => a.time.localeCompare(b.time));
  return list[list.length - 1]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
