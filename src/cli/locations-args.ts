import { locationTargets, type Environment, type LocationTargets } from '../app/index.js';
import type { OptionValues } from './command.js';
import { configLookup, repoUrls, str } from './common.js';

/** The locations of a mirrored command: `--app NAME`, or one or more `-r URL`. */
export function mirrorTargets(values: OptionValues, env: Environment): Promise<LocationTargets> {
  const app = str(values, 'app');
  const passwordFile = str(values, 'password-file');
  const passwordCommand = str(values, 'password-command');
  return locationTargets(
    {
      ...(app !== undefined ? { app } : {}),
      urls: repoUrls(values),
      lookup: configLookup(values, env),
      ...(passwordFile ? { passwordFile } : {}),
      ...(passwordCommand ? { passwordCommand } : {}),
    },
    env,
  );
}

/** True when a command should take the mirrored path: `--app`, or more than one `-r`. */
export function isMirrored(values: OptionValues): boolean {
  return str(values, 'app') !== undefined || repoUrls(values).length > 1;
}
