import { LifeboatError } from '../errors/index.js';

/**
 * An instant with nanosecond precision plus the UTC offset it is shown in: what a Go
 * `time.Time` carries into JSON. restic writes local times (`+05:30`), and tree blobs only
 * deduplicate when the offset is reproduced too.
 */
export interface GoTime {
  /** Nanoseconds since 1970-01-01T00:00:00Z (negative before). */
  readonly unixNs: bigint;
  /** Seconds east of UTC. Go keeps seconds (old LMT zones have them); RFC 3339 shows minutes. */
  readonly offsetSeconds: number;
}

const NS = 1_000_000_000n;
const DAY = 86_400;

/** Go's zero time, 0001-01-01T00:00:00Z: what restic writes for a missing time. */
export const GO_ZERO_TIME: GoTime = Object.freeze({ unixNs: -62_135_596_800n * NS, offsetSeconds: 0 });

/** Seconds east of UTC to show an instant in. */
export type OffsetFn = (unixNs: bigint) => number;

/** The process's local offset at that instant, from the JS engine's time zone data. */
export const localOffsetSeconds: OffsetFn = (unixNs) => {
  // Asked three times per file of a backup; getTimezoneOffset costs a zone lookup each time.
  // A zone's offset changes a few times a year, so it is remembered per hour: when the hour
  // starts and ends with the same offset, it holds all along (no zone changes twice in an hour).
  // One BigInt division when it is known (each BigInt operation allocates).
  const hour = Number(floorDiv(unixNs, NS_PER_HOUR));
  const known = offsetByHour.get(hour);
  if (known !== undefined) return known;
  const ms = Number(floorDiv(unixNs, 1_000_000n));
  const off = offsetAt(ms);
  if (offsetAt(hour * HOUR_MS) === off && offsetAt(hour * HOUR_MS + HOUR_MS - 1) === off) {
    if (offsetByHour.size >= 4096) offsetByHour.clear();
    offsetByHour.set(hour, off);
  }
  return off;
};

const HOUR_MS = 3_600_000;
const NS_PER_HOUR = 3_600_000_000_000n;
const offsetByHour = new Map<number, number>();

function offsetAt(ms: number): number {
  const minutes = new Date(ms).getTimezoneOffset();
  return Number.isFinite(minutes) ? Math.round(-minutes * 60) : 0;
}

/** From Node's `lstat(p, { bigint: true })` times (`mtimeNs` ...), shown in the given zone. */
export function goTimeFromNs(unixNs: bigint, offset: OffsetFn = localOffsetSeconds): GoTime {
  return { unixNs, offsetSeconds: checkOffset(offset(unixNs)) };
}

/** From a JS Date (millisecond precision), by default in the local zone. */
export function goTimeFromDate(d: Date, offset: OffsetFn = localOffsetSeconds): GoTime {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new LifeboatError('INVALID_ARGUMENT', 'invalid Date');
  return goTimeFromNs(BigInt(ms) * 1_000_000n, offset);
}

/** To a JS Date; nanoseconds below the millisecond are dropped (rounding toward the past). */
export function goTimeToDate(t: GoTime): Date {
  return new Date(Number(floorDiv(t.unixNs, 1_000_000n)));
}

export function goTimeEqual(a: GoTime, b: GoTime): boolean {
  return a.unixNs === b.unixNs && a.offsetSeconds === b.offsetSeconds;
}

/**
 * Go's `time.Time` JSON text (RFC 3339 with nanoseconds): fraction with trailing zeros
 * trimmed and left out when zero, `Z` for offset 0, else ±hh:mm with the offset's seconds
 * truncated as Go does. Like Go, refuses years outside 0000–9999 (in the shown zone).
 */
export function formatGoTime(t: GoTime): string {
  // Asked three times per node of every tree written; a file's times often repeat (atime =
  // mtime, files written together), so the last few answers are kept.
  for (const r of recentTimes) if (r.unixNs === t.unixNs && r.offsetSeconds === t.offsetSeconds) return r.text;
  const text = formatUncached(t);
  recentTimes[nextRecent] = { unixNs: t.unixNs, offsetSeconds: t.offsetSeconds, text };
  nextRecent = (nextRecent + 1) % RECENT_TIMES;
  return text;
}

const RECENT_TIMES = 4;
const recentTimes: { unixNs: bigint; offsetSeconds: number; text: string }[] = [];
let nextRecent = 0;

function formatUncached(t: GoTime): string {
  const off = checkOffset(t.offsetSeconds);
  const local = t.unixNs + BigInt(off) * NS;
  const wholeSecs = floorDiv(local, NS);
  const nanos = Number(local - wholeSecs * NS);
  // Years 0000-9999 are within ±2^38 seconds: plain numbers from here on.
  const secs = Number(wholeSecs);
  const days = Math.floor(secs / DAY);
  const sod = secs - days * DAY;
  const [y, m, d] = civilFromDays(days);
  if (y < 0 || y > 9999) {
    throw new LifeboatError('INVALID_ARGUMENT', `time year ${y} is outside 0000-9999, which Go cannot write as JSON`);
  }
  let s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(Math.floor(sod / 3600), 2)}:${pad(Math.floor(sod / 60) % 60, 2)}:${pad(sod % 60, 2)}`;
  if (nanos !== 0) s += '.' + pad(nanos, 9).replace(/0+$/, '');
  if (off === 0) return s + 'Z';
  const zone = Math.trunc(off / 60); // Go divides toward zero, so -30 s shows as +00:00
  const abs = Math.abs(zone);
  return `${s}${zone < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses RFC 3339 with any fraction length (digits past nanoseconds are truncated, as Go
 * does). Lower-case `t`/`z` and a `,` before the fraction are accepted as well.
 */
export function parseGoTime(s: string): GoTime {
  const m = s.length <= 200 ? RFC3339.exec(s) : null;
  if (m === null) return bad(s, 'expected RFC 3339 like 2006-01-02T15:04:05.999999999Z07:00');
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12) return bad(s, 'month out of range');
  if (d < 1 || d > daysInMonth(y, mo)) return bad(s, 'day out of range');
  if (h > 23 || mi > 59 || sec > 59) return bad(s, 'time of day out of range');
  let off = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return bad(s, 'offset out of range');
    off = oh * 3600 + om * 60;
    if (m[9] === '-' && off !== 0) off = -off; // "-00:00" must not become -0
  }
  const frac = m[7] === undefined ? 0n : BigInt(m[7].slice(0, 9).padEnd(9, '0'));
  const localSecs = BigInt(daysFromCivil(y, mo, d) * DAY + h * 3600 + mi * 60 + sec);
  return { unixNs: (localSecs - BigInt(off)) * NS + frac, offsetSeconds: off };
}

function bad(s: string, why: string): never {
  throw new LifeboatError('INVALID_DATA', `invalid time ${JSON.stringify(s.slice(0, 80))}: ${why}`);
}

function checkOffset(off: number): number {
  if (!Number.isInteger(off) || Math.abs(off) >= DAY) {
    throw new LifeboatError('INVALID_ARGUMENT', `invalid UTC offset ${off} s: expected whole seconds under a day`);
  }
  return off;
}

// Proleptic Gregorian calendar <-> days since 1970-01-01, using 400-year eras so that
// years before 1970 (Go's zero time is year 1) need no special cases.
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  // The sign first: the remainder is another BigInt, and times are rarely before 1970.
  return a < 0n && a % b !== 0n ? q - 1n : q;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
