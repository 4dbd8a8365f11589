import { addKey, changePassword, listKeys, openRepository, readPasswordFile, removeKey } from '../../app/index.js';
import type { Environment } from '../../app/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command, OptionValues } from '../command.js';
import { needPositionals, repoOptions, str } from '../common.js';

export const keyCommand: Command = {
  name: 'key',
  summary: 'manage passwords (key files): list, add, remove ID, passwd',
  usage: '-r REPO list | add [--new-password-file F] | remove ID | passwd [--new-password-file F]',
  options: { 'new-password-file': { type: 'string' } },
  async run({ positionals, values, env, out }) {
    needPositionals(positionals, 1, 2, `${this.name} ${this.usage}`);
    const sub = positionals[0];
    const repo = await openRepository(repoOptions(values), env);
    switch (sub) {
      case 'list': {
        const keys = await repo.withLock(false, () => listKeys(repo));
        if (!out.json) {
          out.line(' ID        User      Host            Created');
          for (const k of keys) out.line(`${k.current ? '*' : ' '}${k.id.slice(0, 8)}  ${k.username.padEnd(8)}  ${k.hostname.padEnd(14)}  ${k.created}`);
        }
        return { json: keys };
      }
      case 'add': {
        const id = await repo.withLock(false, async () => addKey(repo, await newPassword(values, env), env));
        if (!out.json) out.line(`saved new key as ${id.slice(0, 8)}`);
        return { json: { id } };
      }
      case 'remove': {
        needPositionals(positionals, 2, 2, 'key remove ID');
        const id = await repo.withLock(true, () => removeKey(repo, positionals[1]!));
        if (!out.json) out.line(`removed key ${id.slice(0, 8)}`);
        return { json: { removed: id } };
      }
      case 'passwd': {
        const id = await repo.withLock(true, async () => changePassword(repo, await newPassword(values, env), env));
        if (!out.json) out.line(`saved new key as ${id.slice(0, 8)}; the old password no longer opens this repository`);
        return { json: { id } };
      }
      default:
        throw new LifeboatError('INVALID_ARGUMENT', `unknown key command "${sub}"; use list, add, remove or passwd`);
    }
  },
};

async function newPassword(values: OptionValues, env: Environment): Promise<Uint8Array> {
  const file = str(values, 'new-password-file');
  if (file) return readPasswordFile(file);
  const fromEnv = env.env['LIFEBOAT_NEW_PASSWORD'];
  if (fromEnv) return new TextEncoder().encode(fromEnv);
  if (env.stdinIsTTY && env.promptSecret) {
    const a = await env.promptSecret('enter new password: ');
    const b = await env.promptSecret('enter password again: ');
    if (a !== b) throw new LifeboatError('INVALID_ARGUMENT', 'the passwords do not match; try again');
    if (a !== '') return new TextEncoder().encode(a);
  }
  throw new LifeboatError('REPO_NO_PASSWORD', 'no new password given; use --new-password-file FILE or LIFEBOAT_NEW_PASSWORD');
}
