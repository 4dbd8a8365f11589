import type { GoTime } from '../model/index.js';
import type { RetentionDuration } from './retention-duration.js';

/** Calendar fields of an instant in the UTC offset it was recorded with (as Go's time.Time). */
export interface CalendarFields {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
}

const NS_PER_MS = 1_000_000n;

function shifted(t: GoTime): Date {
  // Whole milliseconds suffice for calendar fields; floor keeps pre-epoch times right.
  const ns = t.unixNs + BigInt(t.offsetSeconds) * 1_000_000_000n;
  const ms = ns >= 0n ? ns / NS_PER_MS : -((-ns + NS_PER_MS - 1n) / NS_PER_MS);
  return new Date(Number(ms));
}

export function calendarFields(t: GoTime): CalendarFields {
  const d = shifted(t);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours() };
}

/** ISO 8601 week-numbering year and week, as Go's `Time.ISOWeek`. */
export function isoWeek(t: GoTime): { year: number; week: number } {
  const d = shifted(t);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0
  // The week belongs to the year of its Thursday.
  day.setUTCDate(day.getUTCDate() - weekday + 3);
  const year = day.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  return { year, week: Math.floor((day.getTime() - jan1) / 86_400_000 / 7) + 1 };
}

/**
 * `t.AddDate(-y, -m, -d).Add(-h hours)` in t's own offset: calendar subtraction with Go's
 * normalisation (31 March minus one month is 3 March), then plain hours.
 */
export function subtractDuration(t: GoTime, d: RetentionDuration): bigint {
  const off = BigInt(t.offsetSeconds) * 1_000_000_000n;
  const local = t.unixNs + off;
  const dayNs = 86_400_000_000_000n;
  const days = local >= 0n ? local / dayNs : -((-local + dayNs - 1n) / dayNs);
  const timeOfDay = local - days * dayNs;
  const date = new Date(Number(days) * 86_400_000);
  const moved = Date.UTC(date.getUTCFullYear() - d.years, date.getUTCMonth() - d.months, date.getUTCDate() - d.days);
  const movedDays = BigInt(Math.round(moved / 86_400_000));
  return movedDays * dayNs + timeOfDay - off - BigInt(d.hours) * 3_600_000_000_000n;
}
