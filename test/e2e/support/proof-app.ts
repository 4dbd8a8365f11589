// A throw-away app for the proof-of-recovery tests: its own databases (prefixed lb_proof_),
// app root, two local locations, a state directory and a lifeboat.yaml, all removed afterwards.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, LIFEBOAT_CLI, type RunResult } from './run.js';


export interface ProofApp {
  readonly dir: string;
  readonly root: string;
  readonly stateDir: string;
  readonly config: string;
  readonly db: string;
  /** This app's own scratch prefix: tests running at the same time never see each other's drills. */
  readonly scratchPrefix: string;
  run(args: readonly string[]): RunResult;
  json<T = Record<string, unknown>>(r: RunResult): T;
  writeConfig(app: string, yaml: string): void;
}

export function psql(db: string, sql: string): string {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-f', '-'], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout;
}

export function mysql(db: string | undefined, sql: string): string {
  const r = spawnSync('mysql', ['-u', 'root', '-N', '-B', ...(db ? [db] : [])], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mysql failed: ${r.stderr}`);
  return r.stdout;
}

/** Every database on both servers whose name starts with `prefix`. */
export function databasesLike(prefix: string): string[] {
  const pg = psql('postgres', `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`).split('\n').filter(Boolean);
  const my = mysql(undefined, `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${prefix}%'`).split('\n').filter(Boolean);
  return [...pg.map((n) => `postgres/${n}`), ...my.map((n) => `mysql/${n}`)];
}

export function makeProofApp(t: { after(fn: () => void): void }, kind: string): ProofApp {
  const dir = mkdtempSync(join(tmpdir(), `lb-proof-${kind}-`));
  const root = join(dir, 'srv', kind);
  const stateDir = join(dir, 'state');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(dir, 'password'), randomBytes(16).toString('hex'), { mode: 0o600 });
  const db = `lb_proof_${kind}_${randomBytes(4).toString('hex')}`;
  const config = join(dir, 'lifeboat.yaml');
  const scratchPrefix = `lb_proof_d${randomBytes(3).toString('hex')}_`;
  const env = cleanEnv({ LIFEBOAT_KDF_N: '1024', LIFEBOAT_STATE_DIR: stateDir, LIFEBOAT_SCRATCH_PREFIX: scratchPrefix, HOME: dir });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    root,
    stateDir,
    config,
    db,
    scratchPrefix,
    run(args) {
      const r = spawnSync(process.execPath, [LIFEBOAT_CLI, '-c', config, ...args], { env, cwd: dir, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
      return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', what: `lifeboat ${args.join(' ')}` };
    },
    json<T>(r: RunResult): T {
      return JSON.parse(r.stdout) as T;
    },
    writeConfig(app, yaml) {
      writeFileSync(config, `state_dir: ${stateDir}\nlocations:\n  local: { url: ${join(dir, 'repo-local')}, password_file: ${join(dir, 'password')} }\n  offsite: { url: ${join(dir, 'repo-offsite')}, password_file: ${join(dir, 'password')} }\napps:\n  ${app}:\n${yaml.replace(/^/gm, '    ')}\n`);
    },
  };
}
