// The modules a plain restore runs, not app/index.js (all of app/); app mode loads its own.
import { runRestore } from '../../app/browse.js';
import { openRepository } from '../../app/repo-access.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { formatBytes, formatDuration, needPositionals, repoOptions, str, strings } from '../common.js';
import { ProgressLine } from '../progress.js';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a snapshot into a directory',
  usage: '-r REPO SNAPSHOT[:PATH] --target DIR [--include P] [--exclude P] | --app NAME [--snapshot ID|latest] (--target DIR [--include-dumps] | --database DB --into URL [--into-password-file F] [--force] [--no-owner])',
  options: {
    target: { type: 'string', short: 't' },
    include: { type: 'string', short: 'i', multiple: true },
    exclude: { type: 'string', short: 'e', multiple: true },
    app: { type: 'string' },
    snapshot: { type: 'string' },
    'include-dumps': { type: 'boolean' },
    database: { type: 'string' },
    into: { type: 'string' },
    'into-password-file': { type: 'string' },
    force: { type: 'boolean' },
    'no-owner': { type: 'boolean' },
  },
  async run(ctx) {
    if (ctx.values['app'] !== undefined) {
      needPositionals(ctx.positionals, 0, 0, `${this.name} ${this.usage}`);
      return (await import('./app-mode.js')).restoreAppMode(ctx);
    }
    const { positionals, values, env, out } = ctx;
    needPositionals(positionals, 1, 1, `${this.name} ${this.usage}`);
    const target = str(values, 'target');
    if (!target) throw new LifeboatError('INVALID_ARGUMENT', 'say where to restore with --target DIR');
    const [ref, sub] = splitRef(positionals[0]!);
    const repo = await openRepository(repoOptions(values), env);
    const progress = new ProgressLine(out);
    if (!out.json) out.line(`restoring ${positionals[0]} to ${target}`);
    const result = await runRestore(repo, {
      snapshot: ref,
      ...(sub ? { subpath: sub } : {}),
      target,
      include: strings(values, 'include'),
      exclude: strings(values, 'exclude'),
      asRoot: env.uid === 0,
      reporter: {
        progress: (c) => progress.update((ms) => ProgressLine.describe(ms, c.files, c.bytes, c.totalFiles, c.totalBytes)),
        error: (path, message) => out.error(`error: ${path}: ${message}`),
      },
    });
    const c = result.counts;
    if (!out.json && !out.quiet) out.line(`restored ${c.files} files, ${c.dirs} dirs, ${c.others} other entries, ${formatBytes(c.bytes)} from snapshot ${result.snapshotId.slice(0, 8)} in ${formatDuration(progress.elapsedMs())}`);
    const json = { snapshot: result.snapshotId, target, ...c, errors: result.errors };
    if (result.errors.length > 0) {
      out.error(`Warning: ${result.errors.length} entries could not be restored`);
      return { json, exitCode: 1 };
    }
    return { json };
  },
};

function splitRef(s: string): [string, string | undefined] {
  const i = s.indexOf(':');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
