import {
  initApp, loadConfig, processRunnerFor, recordAppBackup, restoreApp, restoreAppDatabase, runAppBackup, selectApps,
  type AppBackupResult, type Environment, type LifeboatConfig,
} from '../../app/index.js';
import { LifeboatError, exitCodeFor, isLifeboatError } from '../../errors/index.js';
import { systemClock } from '../../lib/index.js';
import type { CommandContext, CommandResult } from '../command.js';
import { configLookup, formatBytes, formatDuration, str } from '../common.js';
import { ProgressLine } from '../progress.js';

/** `lifeboat init --app NAME`, or every app: an existing repository is kept as it is. */
export async function initAppMode({ values, env, out }: CommandContext): Promise<CommandResult> {
  const { config } = loadConfig(configLookup(values, env));
  const results = [];
  for (const app of selectApps(config, str(values, 'app'))) {
    const r = await initApp(config, app, env);
    results.push(r);
    if (!out.json && r.locations.length > 1) {
      for (const l of r.locations) out.line(`app ${r.app}: location ${l.name}: ${l.status === 'created' ? 'created' : l.status === 'adopted' ? `adopted existing repository (its snapshots reach the other locations with "lifeboat sync --app ${r.app}" or the next backup)` : 'already there'} at ${l.location}`);
    } else if (!out.json) out.line(r.created ? `created repository ${r.id.slice(0, 10)} for app ${r.app} at ${r.repository} (location ${r.location}); keep its password safe: without it the data cannot be read back` : `app ${r.app}: repository ${r.id.slice(0, 10)} already exists at ${r.repository}; left as it is`);
  }
  return { json: str(values, 'app') !== undefined ? results[0] : { apps: results } };
}

/** `lifeboat backup --app NAME`, or every app: one snapshot per app; one app failing does not stop the others. */
export async function backupAppMode({ values, env, out }: CommandContext): Promise<CommandResult> {
  const { config } = loadConfig(configLookup(values, env));
  const runner = processRunnerFor(env);
  const results: (AppBackupResult | { app: string; error: { code: string; message: string } })[] = [];
  let exitCode = 0;
  let failed = false;
  for (const app of selectApps(config, str(values, 'app'))) {
    const progress = new ProgressLine(out);
    const started = systemClock.now();
    try {
      const r = await runAppBackup(config, app, env, {
        runner,
        reporter: {
          progress: (c, path) => progress.update((ms) => `${app}: ${ProgressLine.describe(ms, c.filesNew + c.filesChanged + c.filesUnmodified, c.bytesProcessed, undefined, undefined)} ${dumpPath(path())}`),
          error: (e) => out.error(`error: ${app}: ${e.path}: ${e.message}`),
        },
      });
      results.push(r);
      recordAppBackup(config, app, env, systemClock, started, { result: r });
      report(r, out);
      // A location behind outranks unreadable files: the backup is missing somewhere entirely.
      if (r.behind.length > 0 && !failed) {
        out.error(`Warning: ${app}: snapshot ${r.snapshotId.slice(0, 8)} is missing from ${r.behind.join(', ')}; fix them and run "lifeboat sync --app ${app}" (the next backup also syncs them first)`);
        exitCode = exitCodeFor('LOCATIONS_BEHIND');
      } else if (r.errors.length > 0 && !failed && exitCode === 0) exitCode = 3;
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      recordAppBackup(config, app, env, systemClock, started, { error: e });
      out.clearProgress();
      // One app named: its failure is the command's error (one line, or {"error"} with --json).
      if (str(values, 'app') !== undefined) throw new LifeboatError(e.code, `app ${app}: ${e.message}`, { cause: e, data: e.data });
      if (!out.json) out.error(`lifeboat: ${e.code}: app ${app}: ${e.message}`);
      results.push({ app, error: { code: e.code, message: e.message } });
      // The first failure decides the exit code (12 wrong password, 130 interrupted...).
      if (!failed) exitCode = exitCodeFor(e.code);
      failed = true;
    }
  }
  return { json: { apps: results }, exitCode };
}

function report(r: AppBackupResult, out: CommandContext['out']): void {
  if (out.json || out.quiet) return;
  for (const n of r.notes) out.line(`${r.app}: ${n}`);
  const dbs = r.databases.map((d) => `${d.engine}:${d.database}`).join(', ') || 'none';
  out.line(`${r.app}: databases ${dbs}; secrets ${r.secrets.join(', ') || 'none'}; ${r.files.length} file path(s)`);
  out.line(`${r.app}: processed ${formatBytes(r.totalBytesProcessed)}, added ${formatBytes(r.dataAdded)} in ${formatDuration(r.durationMs)}`);
  out.line(`${r.app}: snapshot ${r.snapshotId.slice(0, 8)} saved (tag app:${r.app})`);
  if (r.locations.length > 1) for (const l of r.locations) out.line(`${r.app}: location ${l.name}: ${l.behind ? `BEHIND (${l.reason})` : 'saved'}`);
}

/** `lifeboat restore --app NAME [--snapshot ID] (--target DIR | --database DB --into URL [--force])`. */
export async function restoreAppMode({ values, env, out }: CommandContext): Promise<CommandResult> {
  const { config } = loadConfig(configLookup(values, env));
  const app = selectApps(config, str(values, 'app'))[0]!;
  const snapshot = str(values, 'snapshot') ?? 'latest';
  const database = str(values, 'database');
  if (database !== undefined) return restoreDb(app, snapshot, database, values, env, out, config);
  const target = str(values, 'target');
  if (!target) throw new LifeboatError('INVALID_ARGUMENT', 'say where to restore with --target DIR (or a database with --database DB --into URL)');
  const progress = new ProgressLine(out);
  const r = await restoreApp(config, app, {
    snapshot,
    target,
    includeDumps: Boolean(values['include-dumps']),
    asRoot: env.uid === 0,
    reporter: {
      progress: (c) => progress.update((ms) => ProgressLine.describe(ms, c.files, c.bytes, c.totalFiles, c.totalBytes)),
      error: (path, message) => out.error(`error: ${path}: ${message}`),
    },
  }, env);
  const c = r.counts;
  if (!out.json && !out.quiet) out.line(`restored app ${app} from snapshot ${r.snapshotId.slice(0, 8)} to ${target}: ${c.files} files, ${c.dirs} dirs, ${formatBytes(c.bytes)}${values['include-dumps'] ? '' : ' (database dumps left out: restore them with --database DB --into URL, or add --include-dumps)'}`);
  const json = { app, snapshot: r.snapshotId, target, ...c, errors: r.errors };
  if (r.errors.length > 0) {
    out.error(`Warning: ${r.errors.length} entries could not be restored`);
    return { json, exitCode: 1 };
  }
  return { json };
}

async function restoreDb(app: string, snapshot: string, database: string, values: CommandContext['values'], env: Environment, out: CommandContext['out'], config: LifeboatConfig): Promise<CommandResult> {
  const into = str(values, 'into');
  if (!into) throw new LifeboatError('INVALID_ARGUMENT', 'say where to restore the database with --into postgres://user@host/NEWDB (or mysql://...)');
  if (/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(into)) throw new LifeboatError('INVALID_ARGUMENT', '--into must not contain a password; use --into-password-file FILE');
  const passwordFile = str(values, 'into-password-file');
  const r = await restoreAppDatabase(config, app, { snapshot, database, into, ...(passwordFile ? { passwordFile } : {}), force: Boolean(values['force']), noOwner: Boolean(values['no-owner']) }, env, processRunnerFor(env));
  if (!out.json && !out.quiet) out.line(`restored ${r.engine} database ${database} of app ${app} (snapshot ${r.snapshotId.slice(0, 8)}) into database ${r.database} on ${r.where}${r.created ? ' (created)' : ''}`);
  return { json: { app, snapshot: r.snapshotId, engine: r.engine, database, into: r.database, where: r.where, created: r.created } };
}

/** A database dump's path for the progress line (its name tells which dump is being read), else nothing. */
function dumpPath(path: string): string {
  return path.startsWith('/databases/') ? path : '';
}
