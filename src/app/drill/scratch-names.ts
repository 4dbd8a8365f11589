import { createHash } from 'node:crypto';
import { LifeboatError } from '../../errors/index.js';

/** Scratch databases and directories of drills start with this, so a sweep can tell them apart. */
export const DEFAULT_SCRATCH_PREFIX = 'lifeboat_drill_';

/** Who made a scratch object: a short tag of the host and the drill's process id. */
export interface ScratchOwner {
  readonly hostTag: string;
  readonly pid: number;
}

/** Six hex characters of the host name's SHA-256: on a shared database server, a sweep only touches its own host's leftovers. */
export function hostTag(hostname: string): string {
  return createHash('sha256').update(hostname).digest('hex').slice(0, 6);
}

export function checkPrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9_]{0,23}_$/.test(prefix)) throw new LifeboatError('INVALID_ARGUMENT', `scratch prefix "${prefix}" must be lowercase letters, digits and _, end with _, at most 24 characters`);
  return prefix;
}

/** `<prefix><host tag>_<pid>_<8 random base-36>`: at most 24 + 6 + 1 + 10 + 1 + 8 = 50 characters, under both engines' 63/64 limits. */
export function scratchName(prefix: string, owner: ScratchOwner, random: string): string {
  if (!/^[0-9a-z]{8}$/.test(random)) throw new LifeboatError('INTERNAL', 'scratch name random part must be 8 base-36 characters');
  return `${checkPrefix(prefix)}${owner.hostTag}_${owner.pid}_${random}`;
}

export function parseScratchName(prefix: string, name: string): ScratchOwner | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const m = /^([0-9a-f]{6})_([0-9]{1,10})_[0-9a-z]{8}$/.exec(name.slice(prefix.length));
  return m ? { hostTag: m[1]!, pid: Number(m[2]) } : undefined;
}

/**
 * The names among `names` left by drills of this host whose process is gone (killed with -9,
 * power cut). Names of other hosts, of live drills, or not of our shape are never chosen.
 */
export function deadLeftovers(prefix: string, names: readonly string[], host: string, isAlive: (pid: number) => boolean): string[] {
  return names.filter((n) => {
    const o = parseScratchName(prefix, n);
    return o !== undefined && o.hostTag === host && !isAlive(o.pid);
  });
}
