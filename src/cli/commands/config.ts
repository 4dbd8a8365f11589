import { checkConfig, parsePreset, writeConfigTemplate } from '../../app/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { configLookup, needPositionals, str } from '../common.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'check lifeboat.yaml, or write a commented example for a preset',
  usage: '[-c FILE] check | init --preset decidim|mautic|rails|laravel|nextcloud|generic [--output FILE] [--force]',
  options: { preset: { type: 'string' }, output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
  async run({ positionals, values, env, out }) {
    needPositionals(positionals, 1, 1, `${this.name} ${this.usage}`);
    switch (positionals[0]) {
      case 'check': {
        const r = checkConfig(configLookup(values, env));
        if (!out.json) {
          for (const p of r.problems) out.error(p);
          for (const w of r.warnings) out.error(`warning: ${w}`);
          if (r.ok) out.line(`${r.file}: ok (${r.apps.length} app${r.apps.length === 1 ? '' : 's'}: ${r.apps.join(', ')}; locations: ${r.locations.join(', ')})`);
          else out.error(`${r.file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`);
        }
        return { json: r, exitCode: r.ok ? 0 : 1 };
      }
      case 'init': {
        const output = str(values, 'output') ?? str(values, 'config');
        const r = writeConfigTemplate(parsePreset(str(values, 'preset')), { cwd: env.cwd, ...(output ? { output } : {}), force: Boolean(values['force']) });
        if (!out.json) out.line(`wrote ${r.file} (preset ${r.preset}); edit it, then run "lifeboat config check"`);
        return { json: r };
      }
      default:
        throw new LifeboatError('INVALID_ARGUMENT', `unknown config command "${positionals[0]}"; use check or init`);
    }
  },
};
