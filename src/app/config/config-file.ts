import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LifeboatError } from '../../errors/index.js';

// Apart from load-config.ts: finding the file is all that a plain `backup -r` asks (whether to
// switch to app mode), and it should not load the config schema to do so.

export const CONFIG_FILE_NAME = 'lifeboat.yaml';
export const SYSTEM_CONFIG_DIR = '/etc/lifeboat';

export interface ConfigLookup {
  /** `-c FILE`. */
  readonly file?: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the system-wide config lives (tests point it elsewhere). */
  readonly systemDir?: string;
}

/** Which file is used: -c FILE, then LIFEBOAT_CONFIG, then ./lifeboat.yaml, then /etc/lifeboat/lifeboat.yaml. */
export function findConfigFile(o: ConfigLookup): string {
  const explicit = o.file ?? o.env['LIFEBOAT_CONFIG'];
  if (explicit !== undefined && explicit !== '') {
    const path = isAbsolute(explicit) ? explicit : resolve(o.cwd, explicit);
    if (!existsSync(path)) throw new LifeboatError('CONFIG_NOT_FOUND', `configuration file ${path} does not exist; check the path given with -c (or LIFEBOAT_CONFIG)`);
    return path;
  }
  const candidates = [join(o.cwd, CONFIG_FILE_NAME), join(o.systemDir ?? SYSTEM_CONFIG_DIR, CONFIG_FILE_NAME)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new LifeboatError('CONFIG_NOT_FOUND', `no ${CONFIG_FILE_NAME} in ${o.cwd} or ${o.systemDir ?? SYSTEM_CONFIG_DIR}; write one with "lifeboat config init --preset NAME" or pass -c FILE`);
  }
  return found;
}
