import { listApps, loadConfig } from '../../app/index.js';
import type { Command } from '../command.js';
import { configLookup } from '../common.js';

export const appsCommand: Command = {
  name: 'apps',
  summary: 'list the apps of lifeboat.yaml with their last snapshot',
  usage: '[-c FILE]',
  options: {},
  async run({ values, env, out }) {
    const { config } = loadConfig(configLookup(values, env));
    const apps = await listApps(config, env);
    if (!out.json) {
      out.line('App               Preset     Snapshots  Last snapshot');
      for (const a of apps) {
        const last = a.problem ? `(${a.problem})` : a.last ? `${a.last.id.slice(0, 8)}  ${a.last.time.replace(/\.\d+/, '')}` : 'none yet';
        out.line(`${a.app.padEnd(17)} ${(a.preset ?? '-').padEnd(10)} ${String(a.snapshots).padStart(9)}  ${last}`);
      }
    }
    return { json: apps };
  },
};
