import { CAT_KINDS, catFile, openRepository, type CatKind } from '../../app/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { needPositionals, repoOptions } from '../common.js';

export const catCommand: Command = {
  name: 'cat',
  summary: 'print a repository file decrypted: config, snapshot, index, key, pack, blob or lock',
  usage: '-r REPO config | snapshot|index|key|pack|blob|lock ID',
  options: {},
  async run({ positionals, values, env, out }) {
    needPositionals(positionals, 1, 2, `${this.name} ${this.usage}`);
    const kind = positionals[0] as CatKind;
    if (!CAT_KINDS.includes(kind)) throw new LifeboatError('INVALID_ARGUMENT', `cannot cat "${positionals[0]}"; choose one of ${CAT_KINDS.join(', ')}`);
    if (kind !== 'config' && positionals.length < 2) throw new LifeboatError('INVALID_ARGUMENT', `cat ${kind} needs an ID`);
    const repo = await openRepository(repoOptions(values), env);
    await out.write(await repo.withLock(false, () => catFile(repo, kind, positionals[1] ?? '')));
    return {};
  },
};
