import { matchesFilter, openRepository } from '../../app/index.js';
import { repositoryStats } from '../../app/stats.js';
import type { Command } from '../command.js';
import { formatBytes, repoOptions, str } from '../common.js';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'show repository sizes: what snapshots restore to, and what is stored',
  usage: '-r REPO [--host H]',
  options: { host: { type: 'string', short: 'H' } },
  async run({ values, env, out }) {
    const repo = await openRepository(repoOptions(values), env);
    const host = str(values, 'host');
    const stats = await repo.withLock(false, async () => {
      const snaps = (await repo.listSnapshots()).filter((e) => matchesFilter(e, host ? { host } : {}));
      return repositoryStats(repo, snaps);
    });
    if (!out.json) {
      out.line(`Snapshots:           ${stats.snapshots}`);
      out.line(`Total file count:    ${stats.totalFileCount}`);
      out.line(`Total restore size:  ${formatBytes(stats.totalSize)}`);
      out.line(`Stored blobs:        ${stats.blobs} in ${stats.packs} packs`);
      out.line(`Stored size:         ${formatBytes(stats.storedSize)} (${formatBytes(stats.uncompressedSize)} uncompressed)`);
    }
    return { json: stats };
  },
};
