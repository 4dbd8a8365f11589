import { LifeboatError } from '../errors/index.js';
import { deferred } from './deferred.js';
import { dumpFileName, dumpPath, metadataFile, rfc3339, type DumpMetadata } from './dump-metadata.js';
import { pgEnv, pgTarget, type PgTarget } from './pg-connection.js';
import { PG_FAILURE_RULES } from './pg-rules.js';
import type { ProcessRunner } from './process-runner.js';
import { PsqlSnapshotSession } from './psql-session.js';
import type { DatabaseSpec } from './source-specs.js';
import { dumpEntry, findTool, runForText, type FailureContext } from './tool-process.js';
import { safeFileName, type VirtualFile } from './virtual-file.js';

export interface SourceDeps {
  readonly runner: ProcessRunner;
  readonly now: () => Date;
  /** Tool names or paths, when not the usual ones on PATH. */
  readonly tools?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface DatabasePlan {
  readonly files: readonly VirtualFile[];
  readonly databases: readonly string[];
}

const LIST_SQL = 'SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1';

function ctx(what: string, tool: string, t: PgTarget): FailureContext {
  return { what, tool, rules: PG_FAILURE_RULES, secrets: t.password ? [t.password] : [], fallback: 'SOURCE_DUMP_FAILED' };
}

/**
 * Plans the dumps of a PostgreSQL source: checks the tools and the connection now (so a
 * wrong password fails before anything is written), and returns, per database, the dump
 * (streamed from pg_dump -Fc when the archiver reads it) followed by its metadata.
 */
export async function planPostgres(spec: DatabaseSpec, deps: SourceDeps): Promise<DatabasePlan> {
  const tool = (n: string) => deps.tools?.[n] ?? n;
  const pgDump = await findTool(deps.runner, [tool('pg_dump')]);
  const psql = (await findTool(deps.runner, [tool('psql')])).command;
  const base = pgTarget(spec, undefined);
  const wanted = spec.database ?? base.database;
  if (wanted === undefined) throw new LifeboatError('INVALID_ARGUMENT', `postgres source (${spec.origin}) names no database; add database: NAME (or all) or put it in the URL`);
  const admin = pgTarget(spec, wanted === 'all' ? (base.database ?? 'postgres') : wanted);
  const listed = await runForText(deps.runner, { command: psql, args: ['-X', '-A', '-t', '-w', '-c', wanted === 'all' ? LIST_SQL : 'SELECT 1', `--dbname=${admin.url}`], env: pgEnv(admin) }, ctx(`connecting to PostgreSQL on ${admin.where}`, 'psql', admin));
  const databases = wanted === 'all' ? listed.split('\n').filter((l) => l !== '') : [wanted];
  const files: VirtualFile[] = [];
  for (const db of databases) {
    if (!safeFileName(db)) throw new LifeboatError('SOURCE_DUMP_FAILED', `PostgreSQL database name "${db}" cannot be a file name in the snapshot`);
    files.push(...dumpFiles(db, pgTarget(spec, db), pgDump, psql, deps));
  }
  if (spec.globals) {
    const dumpall = (await findTool(deps.runner, [tool('pg_dumpall')])).command;
    const c = ctx(`pg_dumpall --globals-only on ${admin.where}`, 'pg_dumpall', admin);
    const entry = dumpEntry('/databases/postgres/globals.sql', 'globals', () => deps.runner.run({ command: dumpall, args: ['--globals-only', '--no-password', `--dbname=${admin.url}`], env: pgEnv(admin), ...(deps.signal ? { signal: deps.signal } : {}) }), c);
    files.push({ path: entry.path, mode: 0o600, open: () => entry.stream });
  }
  return { files, databases };
}

function dumpFiles(db: string, t: PgTarget, pgDump: { command: string; version: string }, psql: string, deps: SourceDeps): VirtualFile[] {
  const meta = deferred<DumpMetadata>();
  const what = `pg_dump of database "${db}" on ${t.where}`;
  const dump: VirtualFile = {
    path: dumpPath('postgres', db),
    mode: 0o600,
    async *open() {
      const session = new PsqlSnapshotSession(deps.runner, psql, t.url, pgEnv(t), ctx(what, 'psql', t));
      let complete = false;
      try {
        const facts = await session.open(deps.signal);
        const startedAt = deps.now();
        // -Z0: the repository compresses, and uncompressed dumps deduplicate between runs.
        const args = ['--format=custom', '--compress=0', '--no-password', `--snapshot=${facts.snapshotId}`, `--dbname=${t.url}`];
        const entry = dumpEntry(dumpPath('postgres', db), db, () => deps.runner.run({ command: pgDump.command, args, env: pgEnv(t), ...(deps.signal ? { signal: deps.signal } : {}) }), ctx(what, 'pg_dump', t));
        yield* entry.stream;
        await entry.done;
        await session.close();
        complete = true;
        meta.resolve({ version: 1, engine: 'postgres', database: db, dump: dumpFileName('postgres', db), serverVersion: facts.serverVersion, toolVersion: pgDump.version, tables: facts.tables, dumpedAt: rfc3339(startedAt) });
      } catch (e) {
        meta.reject(e);
        throw e;
      } finally {
        if (!complete) {
          session.abort();
          meta.reject(new LifeboatError('INTERRUPTED', `${what} did not complete`));
        }
      }
    },
  };
  return [dump, metadataFile('postgres', db, meta)];
}
