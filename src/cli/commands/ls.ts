import { findSnapshot, listSnapshotNodes, openRepository, type ListedNode } from '../../app/index.js';
import { formatGoTime } from '../../model/index.js';
import type { Command } from '../command.js';
import { needPositionals, repoOptions } from '../common.js';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list files in a snapshot',
  usage: '-r REPO SNAPSHOT [PATH] [-l]',
  options: { long: { type: 'boolean', short: 'l' } },
  async run({ positionals, values, env, out }) {
    needPositionals(positionals, 1, 2, `${this.name} ${this.usage}`);
    const repo = await openRepository(repoOptions(values), env);
    return repo.withLock(false, async () => {
      await repo.loadIndex();
      const { id, snapshot } = await findSnapshot(repo, positionals[0]!);
      const nodes: ListedNode[] = [];
      if (!out.json) out.line(`snapshot ${id.slice(0, 8)} of [${snapshot.paths.join(' ')}] at ${formatGoTime(snapshot.time)}:`);
      for await (const n of listSnapshotNodes(repo, snapshot.tree, positionals[1] ?? '/')) {
        if (out.json) nodes.push(n);
        else if (values['long']) out.line(`${modeString(n.mode, n.type)} ${String(n.uid).padStart(5)} ${String(n.gid).padStart(5)} ${String(n.size).padStart(12)} ${n.mtime.slice(0, 19).replace('T', ' ')} ${n.path}`);
        else out.line(n.path);
      }
      return { json: { snapshot: id, nodes } };
    });
  },
};

function modeString(mode: number, type: string): string {
  const kinds: Record<string, string> = { dir: 'd', symlink: 'l', fifo: 'p', chardev: 'c', dev: 'b', socket: 's' };
  let s = kinds[type] ?? '-';
  for (let i = 8; i >= 0; i--) s += mode & (1 << i) ? 'rwx'[(8 - i) % 3] : '-';
  return s;
}
