import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LifeboatError } from '../errors/index.js';
import { configTemplate } from './config/config-templates.js';
import { PRESETS, formatConfigProblem, type LifeboatConfig, type Preset } from './config/config-types.js';
import { CONFIG_FILE_NAME, findConfigFile, parseConfig, type ConfigLookup } from './config/load-config.js';
import { readFileSync } from 'node:fs';

export interface ConfigCheckReport {
  readonly file: string;
  readonly ok: boolean;
  /** `file:line:column: field: message`, one per mistake. */
  readonly problems: readonly string[];
  /** Things that are valid but will fail at run time on this machine (a missing root...). */
  readonly warnings: readonly string[];
  readonly apps: readonly string[];
  readonly locations: readonly string[];
}

/** `lifeboat config check`: every problem of the file, not just the first. */
export function checkConfig(o: ConfigLookup): ConfigCheckReport {
  const file = findConfigFile(o);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LifeboatError('CONFIG_NOT_FOUND', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; check its permissions`, { cause: e });
  }
  const parsed = parseConfig(text, file, o.env);
  if (!parsed.ok) return { file, ok: false, problems: parsed.problems.map(formatConfigProblem), warnings: [], apps: [], locations: [] };
  const c = parsed.config;
  return { file, ok: true, problems: [], warnings: machineWarnings(c), apps: Object.keys(c.apps), locations: Object.keys(c.locations) };
}

function machineWarnings(c: LifeboatConfig): string[] {
  const out: string[] = [];
  for (const [name, l] of Object.entries(c.locations)) {
    if (l.passwordFile && !existsSync(l.passwordFile)) out.push(`locations.${name}.password_file: ${l.passwordFile} does not exist on this machine`);
  }
  for (const [name, a] of Object.entries(c.apps)) {
    if (a.root && !existsSync(a.root)) out.push(`apps.${name}.root: ${a.root} does not exist on this machine`);
  }
  return out;
}

export function parsePreset(name: string | undefined): Preset {
  if (name === undefined) throw new LifeboatError('INVALID_ARGUMENT', `say which preset with --preset ${PRESETS.join('|')}`);
  if (!(PRESETS as readonly string[]).includes(name)) throw new LifeboatError('INVALID_ARGUMENT', `unknown preset "${name}"; expected one of: ${PRESETS.join(', ')}`);
  return name as Preset;
}

/** `lifeboat config init`: writes a commented example; never overwrites unless `force`. */
export function writeConfigTemplate(preset: Preset, opts: { readonly output?: string; readonly cwd: string; readonly force?: boolean }): { file: string; preset: Preset } {
  const file = opts.output ? (isAbsolute(opts.output) ? opts.output : resolve(opts.cwd, opts.output)) : join(opts.cwd, CONFIG_FILE_NAME);
  try {
    writeFileSync(file, configTemplate(preset), { flag: opts.force ? 'w' : 'wx', mode: 0o640 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new LifeboatError('CONFIG_EXISTS', `${file} already exists; edit it, or pass --force to replace it`);
    throw new LifeboatError('INVALID_ARGUMENT', `cannot write ${file}: ${code ?? 'error'}; check the directory and its permissions`, { cause: e });
  }
  return { file, preset };
}
