import { fileContent, findSnapshot, openRepository } from '../../app/index.js';
import type { Command } from '../command.js';
import { needPositionals, repoOptions } from '../common.js';

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'write one file of a snapshot to standard output',
  usage: '-r REPO SNAPSHOT FILE',
  options: {},
  async run({ positionals, values, env, out }) {
    needPositionals(positionals, 2, 2, `${this.name} ${this.usage}`);
    const repo = await openRepository(repoOptions(values), env);
    await repo.withLock(false, async () => {
      await repo.loadIndex();
      const { id, snapshot } = await findSnapshot(repo, positionals[0]!);
      // One blob at a time: a large file never sits whole in memory.
      for (const blob of await fileContent(repo, snapshot.tree, positionals[1]!, id)) await out.write(await repo.loadBlob('data', blob));
    });
    return {};
  },
};
