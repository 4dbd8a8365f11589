import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { arbGoTime, arbOffsetMinutes } from './arbitraries.test-util.js';
import {
  GO_ZERO_TIME,
  formatGoTime,
  goTimeEqual,
  goTimeFromDate,
  goTimeFromNs,
  goTimeToDate,
  localOffsetSeconds,
  parseGoTime,
} from './go-time.js';

const NS = 1_000_000_000n;

test('formatGoTime: examples from real restic data', () => {
  const t = parseGoTime('2026-11-24T21:21:46.548787948+05:30');
  assert.equal(t.offsetSeconds, 19_800);
  assert.equal(t.unixNs, BigInt(Date.parse('2026-11-24T15:51:46Z')) * 1_000_000n + 548_787_948n);
  assert.equal(formatGoTime(t), '2026-11-24T21:21:46.548787948+05:30');
  assert.equal(formatGoTime(GO_ZERO_TIME), '0001-01-01T00:00:00Z');
  assert.deepEqual(parseGoTime('0001-01-01T00:00:00Z'), GO_ZERO_TIME);
  assert.equal(formatGoTime({ unixNs: 1_659_355_200_123_456_789n, offsetSeconds: 0 }), '2022-08-01T12:00:00.123456789Z');
  assert.equal(formatGoTime({ unixNs: 1_795_609_978_185_166_770n, offsetSeconds: 0 }), '2026-11-25T12:32:58.18516677Z');
  assert.equal(formatGoTime({ unixNs: 0n, offsetSeconds: -3 * 3600 - 30 * 60 }), '1969-12-31T20:30:00-03:30');
  assert.equal(formatGoTime({ unixNs: -1n, offsetSeconds: 0 }), '1969-12-31T23:59:59.999999999Z');
  assert.equal(formatGoTime({ unixNs: 100_000_000n, offsetSeconds: 0 }), '1970-01-01T00:00:00.1Z');
});

test('formatGoTime: offsets with seconds are shown truncated, as Go does', () => {
  // Asia/Kolkata local mean time was +05:53:28; Go shifts the clock by the full offset.
  assert.equal(formatGoTime({ unixNs: 0n, offsetSeconds: 5 * 3600 + 53 * 60 + 28 }), '1970-01-01T05:53:28+05:53');
  assert.equal(formatGoTime({ unixNs: 0n, offsetSeconds: -30 }), '1969-12-31T23:59:30+00:00');
});

test('formatGoTime: refuses what Go refuses', () => {
  const arg = (e: unknown): boolean => isLifeboatError(e, 'INVALID_ARGUMENT');
  assert.throws(() => formatGoTime({ unixNs: GO_ZERO_TIME.unixNs - 400n * 366n * 86_400n * NS, offsetSeconds: 0 }), arg);
  assert.throws(() => formatGoTime({ unixNs: 253_402_300_800n * NS, offsetSeconds: 0 }), arg); // year 10000
  assert.throws(() => formatGoTime({ unixNs: 0n, offsetSeconds: 86_400 }), arg);
  assert.throws(() => formatGoTime({ unixNs: 0n, offsetSeconds: 0.5 }), arg);
});

test('formatGoTime agrees with Date#toISOString over years 0000-9999', () => {
  fc.assert(
    fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
      const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
      const go = formatGoTime({ unixNs: BigInt(ms) * 1_000_000n, offsetSeconds: 0 });
      assert.equal(go, iso.replace(/\.?0*Z$/, 'Z'));
    }),
    { numRuns: 2000 },
  );
});

test('parseGoTime/formatGoTime round trip', () => {
  fc.assert(
    fc.property(arbGoTime, (t) => {
      const s = formatGoTime(t);
      assert.deepEqual(parseGoTime(s), t);
      assert.equal(formatGoTime(parseGoTime(s)), s);
    }),
    { numRuns: 3000 },
  );
});

test('formatGoTime remembers recent answers without mixing them up: repeats, same instant in another zone, one nanosecond apart', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: 5 }), fc.constantFrom(0, 3600, -1800)), { minLength: 1, maxLength: 40 }), (picks) => {
      const base = 1_704_067_200_000_000_000n; // 2024-01-01
      for (const [i, off] of picks) {
        const t = { unixNs: base + BigInt(i), offsetSeconds: off };
        assert.deepEqual(parseGoTime(formatGoTime(t)), t);
      }
    }),
  );
  const t = { unixNs: 1_704_067_200_000_000_000n, offsetSeconds: 3600 };
  assert.equal(formatGoTime(t), '2024-01-01T01:00:00+01:00');
  assert.equal(formatGoTime({ ...t, offsetSeconds: 0 }), '2024-01-01T00:00:00Z');
  assert.equal(formatGoTime({ ...t, unixNs: t.unixNs + 1n }), '2024-01-01T01:00:00.000000001+01:00');
  assert.equal(formatGoTime(t), '2024-01-01T01:00:00+01:00');
});

test('parseGoTime: any RFC 3339 fraction length, JS ISO strings, Go leniencies', () => {
  const base = parseGoTime('2020-02-29T23:59:59Z');
  assert.equal(parseGoTime('2020-02-29T23:59:59.5Z').unixNs, base.unixNs + 500_000_000n);
  assert.equal(parseGoTime('2020-02-29T23:59:59.000000001Z').unixNs, base.unixNs + 1n);
  assert.equal(parseGoTime('2020-02-29T23:59:59.1234567891234Z').unixNs, base.unixNs + 123_456_789n); // truncated
  assert.equal(parseGoTime('2020-02-29T23:59:59,5Z').unixNs, base.unixNs + 500_000_000n);
  assert.equal(parseGoTime('2020-02-29t23:59:59z').unixNs, base.unixNs);
  assert.equal(parseGoTime('2020-03-01T00:59:59+01:00').unixNs, base.unixNs);
  assert.equal(parseGoTime('2020-02-29T23:59:59-00:00').offsetSeconds, 0);
  const d = new Date(Date.UTC(1850, 5, 1, 3, 4, 5, 678));
  assert.equal(goTimeToDate(parseGoTime(d.toISOString())).getTime(), d.getTime());
});

test('parseGoTime: malformed input gives INVALID_DATA', () => {
  const bad = [
    '', '2020-01-01', '2020-01-01T00:00:00', '2020-13-01T00:00:00Z', '2021-02-29T00:00:00Z', '2020-01-32T00:00:00Z',
    '2020-01-01T24:00:00Z', '2020-01-01T00:60:00Z', '2020-01-01T00:00:60Z', '2020-01-01T00:00:00+24:00',
    '2020-01-01T00:00:00+01', '2020-01-01T00:00:00.Z', '20-01-01T00:00:00Z', '2020-01-01 00:00:00Z', '+2020-01-01T00:00:00Z',
    '2020-01-01T00:00:00Z ', '2020-00-01T00:00:00Z', '2020-01-00T00:00:00Z', '2020-01-01T0:00:00Z', 'x'.repeat(10_000),
  ];
  for (const s of bad) assert.throws(() => parseGoTime(s), (e: unknown) => isLifeboatError(e, 'INVALID_DATA'), s);
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '-', ':', 'T', 'Z', '.', '+') }), (s) => {
      try {
        parseGoTime(s);
      } catch (e) {
        assert.ok(isLifeboatError(e, 'INVALID_DATA'));
      }
    }),
  );
});

test('goTimeFromNs: stat nanoseconds with an offset function', () => {
  const ns = 1_659_355_200_123_456_789n;
  const t = goTimeFromNs(ns, () => 19_800);
  assert.deepEqual(t, { unixNs: ns, offsetSeconds: 19_800 });
  assert.equal(formatGoTime(t), '2022-08-01T17:30:00.123456789+05:30');
  const local = goTimeFromNs(ns);
  assert.equal(local.offsetSeconds, -new Date(1_659_355_200_123).getTimezoneOffset() * 60);
  assert.ok(Number.isInteger(localOffsetSeconds(GO_ZERO_TIME.unixNs)));
  assert.throws(() => goTimeFromNs(ns, () => 1e6), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
});

test('Date conversions', () => {
  fc.assert(
    fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_214_399_999 }), arbOffsetMinutes, (ms, off) => {
      const t = goTimeFromDate(new Date(ms), () => off * 60);
      assert.equal(t.offsetSeconds, off * 60);
      assert.equal(goTimeToDate(t).getTime(), ms);
      assert.ok(goTimeEqual(parseGoTime(formatGoTime(t)), t));
    }),
  );
  // Sub-millisecond parts round toward the past, also before 1970.
  assert.equal(goTimeToDate({ unixNs: -1n, offsetSeconds: 0 }).getTime(), -1);
  assert.equal(goTimeToDate({ unixNs: 1_999_999n, offsetSeconds: 0 }).getTime(), 1);
  assert.throws(() => goTimeFromDate(new Date(NaN)), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
});

test('localOffsetSeconds (remembered per hour) agrees with the zone around DST changes', () => {
  // In a child process: the zone is fixed per process, and the remembered offsets with it.
  const script = `
    import { localOffsetSeconds } from ${JSON.stringify(new URL('./go-time.js', import.meta.url).href)};
    const direct = (ms) => -new Date(ms).getTimezoneOffset() * 60;
    const bad = [];
    const check = (ms) => { const got = localOffsetSeconds(BigInt(ms) * 1000000n); if (got !== direct(ms)) bad.push([ms, got, direct(ms)]); };
    // Every 7 minutes across 2024 (both DST changes), then random instants over four centuries.
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 7 * 60_000 + 13) check(ms);
    let x = 12345;
    for (let i = 0; i < 20000; i++) { x = (x * 1103515245 + 12345) % 2147483648; check(Date.UTC(1800, 0, 1) + Math.floor((x / 2147483648) * 1.3e13)); }
    process.stdout.write(JSON.stringify(bad.slice(0, 5)));
  `;
  for (const tz of ['Europe/Berlin', 'Australia/Lord_Howe', 'America/St_Johns', 'UTC']) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { TZ: tz }, encoding: 'utf8' });
    assert.equal(out, '[]', tz);
  }
});
