import { matchesFilter, openRepository, snapshotJson } from '../../app/index.js';
import type { Command } from '../command.js';
import { repoOptions, str, strings } from '../common.js';

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'list snapshots',
  usage: '-r REPO [--host H] [--tag T] [--path P]',
  options: { host: { type: 'string', short: 'H' }, tag: { type: 'string', multiple: true }, path: { type: 'string', multiple: true } },
  async run({ values, env, out }) {
    const repo = await openRepository(repoOptions(values), env);
    const filter = {
      ...(str(values, 'host') ? { host: str(values, 'host')! } : {}),
      tags: strings(values, 'tag').flatMap((t) => t.split(',')),
      paths: strings(values, 'path'),
    };
    const list = await repo.withLock(false, async () => (await repo.listSnapshots()).filter((e) => matchesFilter(e, filter)));
    const json = list.map(({ id, snapshot }) => snapshotJson(id, snapshot));
    if (!out.json) {
      out.line('ID        Time                 Host            Tags        Paths');
      out.line('-'.repeat(78));
      for (const s of json) {
        const t = s.time.replace('T', ' ').slice(0, 19);
        out.line(`${s.short_id}  ${t}  ${s.hostname.padEnd(14).slice(0, 14)}  ${(s.tags ?? []).join(',').padEnd(10).slice(0, 10)}  ${s.paths.join(', ')}`);
      }
      out.line('-'.repeat(78));
      out.line(`${json.length} snapshot${json.length === 1 ? '' : 's'}`);
    }
    return { json };
  },
};
