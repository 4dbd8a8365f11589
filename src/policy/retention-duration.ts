import { LifeboatError } from '../errors/index.js';

/** restic's calendar duration (`1y5m7d2h`): years, months, days, hours, in that order. */
export interface RetentionDuration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

export const ZERO_DURATION: RetentionDuration = Object.freeze({ years: 0, months: 0, days: 0, hours: 0 });

const UNITS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;

/** Parses `1y5m7d2h` (any subset, any order, as restic accepts; a unit given twice adds up). */
export function parseRetentionDuration(s: string): RetentionDuration {
  const out = { years: 0, months: 0, days: 0, hours: 0 };
  const bad = (why: string): never => {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid duration "${s.slice(0, 40)}": ${why}; write it like 1y5m7d2h`);
  };
  if (s === '') bad('empty');
  const re = /(\d+)([a-zA-Z]?)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s)) !== null) {
    const unit = UNITS[m[2] as keyof typeof UNITS];
    if (unit === undefined) bad(m[2] === '' ? 'a number without a unit' : `unknown unit "${m[2]}"`);
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n > 1_000_000) bad('number too large');
    out[unit!] += n;
    end = re.lastIndex;
  }
  if (end !== s.length) bad(`unexpected "${s.slice(end, end + 10)}"`);
  return out;
}

/** restic's text for a duration (zero parts left out), used in keep reasons. */
export function formatRetentionDuration(d: RetentionDuration): string {
  let s = '';
  if (d.years) s += `${d.years}y`;
  if (d.months) s += `${d.months}m`;
  if (d.days) s += `${d.days}d`;
  if (d.hours) s += `${d.hours}h`;
  return s;
}

export function isZeroDuration(d: RetentionDuration | undefined): boolean {
  return d === undefined || (d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0);
}
