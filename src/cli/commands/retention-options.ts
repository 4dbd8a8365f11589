import { LifeboatError } from '../../errors/index.js';
import { DEFAULT_GROUP_BY, parseGroupBy, parseMaxUnused, parseRetentionDuration, type MaxUnused, type RetentionPolicy, type SelectFilter } from '../../app/index.js';
import type { OptionSpec, OptionValues } from '../command.js';
import { str, strings } from '../common.js';

/** restic's forget flags (same names and short forms). */
export const POLICY_OPTIONS: OptionSpec = {
  'keep-last': { type: 'string', short: 'l' },
  'keep-hourly': { type: 'string', short: 'H' },
  'keep-daily': { type: 'string', short: 'd' },
  'keep-weekly': { type: 'string', short: 'w' },
  'keep-monthly': { type: 'string', short: 'm' },
  'keep-yearly': { type: 'string', short: 'y' },
  'keep-within': { type: 'string' },
  'keep-within-hourly': { type: 'string' },
  'keep-within-daily': { type: 'string' },
  'keep-within-weekly': { type: 'string' },
  'keep-within-monthly': { type: 'string' },
  'keep-within-yearly': { type: 'string' },
  'keep-tag': { type: 'string', multiple: true },
  host: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  path: { type: 'string', multiple: true },
  'group-by': { type: 'string', short: 'g' },
};

const COUNTS = [['keep-last', 'last'], ['keep-hourly', 'hourly'], ['keep-daily', 'daily'], ['keep-weekly', 'weekly'], ['keep-monthly', 'monthly'], ['keep-yearly', 'yearly']] as const;
const WITHINS = [['keep-within', 'within'], ['keep-within-hourly', 'withinHourly'], ['keep-within-daily', 'withinDaily'], ['keep-within-weekly', 'withinWeekly'], ['keep-within-monthly', 'withinMonthly'], ['keep-within-yearly', 'withinYearly']] as const;

/** The rules given on the command line (only those given: --app merges them over keep:). */
export function policyFromFlags(v: OptionValues): RetentionPolicy {
  const p: Record<string, unknown> = {};
  for (const [flag, field] of COUNTS) {
    const s = str(v, flag);
    if (s === undefined) continue;
    if (!/^\d{1,9}$/.test(s)) throw new LifeboatError('INVALID_ARGUMENT', `--${flag} needs a whole number of snapshots (got "${s.slice(0, 20)}")`);
    p[field] = Number(s);
  }
  for (const [flag, field] of WITHINS) {
    const s = str(v, flag);
    if (s !== undefined) p[field] = parseRetentionDuration(s);
  }
  const tags = strings(v, 'keep-tag').map(tagList);
  if (tags.length) p['tags'] = tags;
  return p as RetentionPolicy;
}

export function filterFromFlags(v: OptionValues): SelectFilter {
  return { hosts: strings(v, 'host'), tagLists: strings(v, 'tag').map(tagList), paths: strings(v, 'path') };
}

export function groupByFromFlags(v: OptionValues) {
  const g = str(v, 'group-by');
  return g === undefined ? DEFAULT_GROUP_BY : parseGroupBy(g);
}

export function maxUnusedFromFlags(v: OptionValues): MaxUnused | undefined {
  const s = str(v, 'max-unused');
  return s === undefined ? undefined : parseMaxUnused(s);
}

/** `a,b` is one list needing both tags, as restic's taglist. */
function tagList(s: string): string[] {
  return s.split(',').map((t) => t.trim()).filter((t) => t !== '');
}
