import { readFileSync } from 'node:fs';
import type { MirroredBackupResult } from '../../app/index.js';
// The modules a plain `backup -r` runs, not app/index.js (all of app/); app mode and mirrors
// load theirs when asked for. app/backup.js (the archiver, the writer) loads once the
// repository is being opened: its modules load while the key's scrypt runs.
import type { BackupOptions, BackupSummary } from '../../app/backup.js';
import { startScans } from '../../app/start-scans.js';
import { openRepository } from '../../app/repo-access.js';
import { scanTotals } from '../../app/scan-totals.js';
import { exitCodeFor, LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { formatBytes, formatDuration, repoOptions, repoUrls, str, strings } from '../common.js';
import { ProgressLine } from '../progress.js';
import { hasConfig } from '../common.js';

/** Options of a path backup that an app backup does not use: silently dropping them would mislead. */
const PATH_ONLY = ['repo', 'exclude', 'exclude-file', 'tag', 'host', 'parent', 'stdin', 'stdin-filename', 'compression', 'pack-size'] as const;

function refuseRepositoryOptions(values: Record<string, unknown>, positionals: readonly string[]): void {
  const app = String(values['app']);
  if (positionals.length > 0) {
    throw new LifeboatError('INVALID_ARGUMENT', `backup --app takes no paths (got ${positionals.join(' ')}); add them to apps.${app} as a files source in lifeboat.yaml, or back them up on their own with "lifeboat backup -r REPO PATH..."`);
  }
  const given = PATH_ONLY.filter((o) => values[o] !== undefined);
  if (given.length > 0) {
    throw new LifeboatError('INVALID_ARGUMENT', `backup --app does not take ${given.map((o) => `--${o}`).join(', ')}: an app's locations and sources come from lifeboat.yaml (exclude: of a files source); remove ${given.length > 1 ? 'them' : 'it'}`);
  }
}

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up files and directories (or standard input) into a new snapshot',
  usage: '--app NAME [-c FILE] (or every app of lifeboat.yaml when no path is named) | -r REPO [-r REPO...] [--exclude P] [--exclude-file F] [--tag T] [--host H] [--parent ID] [--compression auto|max|off] [--pack-size MiB] PATH... | --stdin --stdin-filename NAME',
  options: {
    exclude: { type: 'string', short: 'e', multiple: true },
    'exclude-file': { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    host: { type: 'string', short: 'H' },
    parent: { type: 'string' },
    stdin: { type: 'boolean' },
    'stdin-filename': { type: 'string' },
    compression: { type: 'string' },
    'pack-size': { type: 'string' },
    app: { type: 'string' },
  },
  async run(ctx) {
    const { positionals, values, env, out } = ctx;
    // App mode: --app, or nothing named and no repository given but a lifeboat.yaml found.
    if (values['app'] !== undefined) refuseRepositoryOptions(values, positionals);
    if (values['app'] !== undefined || (positionals.length === 0 && !values['stdin'] && !values['repo'] && !env.env['LIFEBOAT_REPOSITORY'] && !env.env['RESTIC_REPOSITORY'] && hasConfig(values, env))) return (await import('./app-mode.js')).backupAppMode(ctx);
    const excludes = [...strings(values, 'exclude'), ...strings(values, 'exclude-file').flatMap(readExcludeFile)];
    const compression = str(values, 'compression') ?? 'auto';
    if (compression !== 'auto' && compression !== 'max' && compression !== 'off') {
      throw new LifeboatError('INVALID_ARGUMENT', `--compression must be auto, max or off, not "${compression}"`);
    }
    const packSizeMiB = str(values, 'pack-size') ?? env.env['LIFEBOAT_PACK_SIZE'] ?? env.env['RESTIC_PACK_SIZE'];
    const packSize = packSizeMiB === undefined ? undefined : Number(packSizeMiB);
    if (packSize !== undefined && !(Number.isInteger(packSize) && packSize >= 1 && packSize <= 128)) {
      throw new LifeboatError('INVALID_ARGUMENT', `--pack-size must be a whole number of MiB from 1 to 128, not "${packSizeMiB}"`);
    }
    if (values['stdin'] && positionals.length > 0) throw new LifeboatError('INVALID_ARGUMENT', '--stdin takes no paths');
    const mirrored = repoUrls(values).length > 1;
    const progress = new ProgressLine(out);
    const scan = { stopped: false };
    const totals = values['stdin'] || !out.interactive ? undefined : scanTotals(positionals, excludes, scan);
    try {
      const opts: BackupOptions = {
        paths: positionals,
        excludes,
        tags: strings(values, 'tag').flatMap((t) => t.split(',')),
        compression,
        ...(packSize ? { packSize: packSize * 1024 * 1024 } : {}),
        ...(str(values, 'host') ? { host: str(values, 'host')! } : {}),
        ...(str(values, 'parent') ? { parent: str(values, 'parent')! } : {}),
        ...(values['stdin'] ? { stdin: { filename: str(values, 'stdin-filename') ?? 'stdin', source: env.stdin() } } : {}),
        reporter: {
          progress: (c) => progress.update((ms) => ProgressLine.describe(ms, c.filesNew + c.filesChanged + c.filesUnmodified, c.bytesProcessed, totals?.done ? totals.files : undefined, totals?.done ? totals.bytes : undefined)),
          error: (e) => out.error(`error: ${e.path}: ${e.message}`),
        },
      };
      let summary: BackupSummary;
      let mirror: MirroredBackupResult | undefined;
      if (mirrored) {
        const [{ mirrorTargets }, { runMirroredBackup }] = await Promise.all([import('../locations-args.js'), import('../../app/index.js')]);
        const t = await mirrorTargets(values, env);
        mirror = await runMirroredBackup(t.locations, t.passwords[0]!, opts, env, t.stateDir);
        summary = mirror.summary;
      } else {
        // The scans and the key's scrypt start first; the archiver's modules load meanwhile.
        const scans = startScans(opts, env);
        try {
          const opening = openRepository(repoOptions(values), env);
          opening.catch(() => undefined); // awaited below, after the import
          const { runBackup } = await import('../../app/backup.js');
          const repo = await opening;
          try {
            summary = await runBackup(repo, opts, env, scans);
          } finally {
            await repo.backend.close();
          }
        } finally {
          scans?.close();
        }
      }
      if (!out.json && !out.quiet) {
        out.line(`Files:       ${summary.filesNew} new, ${summary.filesChanged} changed, ${summary.filesUnmodified} unmodified`);
        out.line(`Dirs:        ${summary.dirsNew} new, ${summary.dirsChanged} changed, ${summary.dirsUnmodified} unmodified`);
        out.line(`Added to the repository: ${formatBytes(summary.dataAdded)} (${formatBytes(summary.dataStored)} stored)`);
        out.line(`processed ${summary.totalFilesProcessed} files, ${formatBytes(summary.totalBytesProcessed)} in ${formatDuration(summary.durationMs)}`);
        out.line(`snapshot ${summary.snapshotId.slice(0, 8)} saved`);
      }
      const json = mirror ? { ...summary, locations: mirror.locations, behind: mirror.behind, sync: mirror.sync } : summary;
      if (mirror) {
        for (const l of mirror.locations) if (!out.json) out.line(`location ${l.name}: ${l.behind ? `BEHIND (${l.reason})` : 'saved'}`);
        if (mirror.behind.length > 0) {
          out.error(`Warning: snapshot ${summary.snapshotId.slice(0, 8)} is missing from ${mirror.behind.length} location(s) (${mirror.behind.join(', ')}); fix them and run "lifeboat sync" (the next backup also syncs them first)`);
          return { json, exitCode: exitCodeFor('LOCATIONS_BEHIND') };
        }
      }
      if (summary.errors.length > 0) {
        out.error(`Warning: ${summary.errors.length} file(s) could not be read and are missing from snapshot ${summary.snapshotId.slice(0, 8)}`);
        return { json, exitCode: 3 };
      }
      return { json };
    } finally {
      scan.stopped = true;
    }
  },
};

function readExcludeFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LifeboatError('INVALID_ARGUMENT', `cannot read exclude file ${path}: ${(e as NodeJS.ErrnoException).code}; check the path`);
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}
