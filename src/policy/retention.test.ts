import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { parseGoTime, type Snapshot } from '../model/index.js';
import { applyPolicy, isEmptyPolicy, type RetentionPolicy, type RetentionSnapshot } from './retention-policy.js';
import { planForget } from './retention.js';
import { DEFAULT_GROUP_BY, parseGroupBy } from './retention-group.js';
import { formatRetentionDuration, parseRetentionDuration } from './retention-duration.js';
import { isoWeek, subtractDuration } from './retention-calendar.js';

const TREE = 'a'.repeat(64);
function snap(id: string, time: string, extra: Partial<Snapshot> = {}): RetentionSnapshot {
  return { id: id.padStart(64, '0'), snapshot: { time: parseGoTime(time), tree: TREE, paths: ['/data'], hostname: 'h', ...extra } };
}
const ids = (l: readonly RetentionSnapshot[]) => l.map((s) => s.id.replace(/^0+/, ''));

// Five days, two snapshots on 2026-01-03, one a week earlier.
const LIST = [
  snap('1', '2025-12-27T10:00:00Z'),
  snap('2', '2026-01-01T10:00:00Z'),
  snap('3', '2026-01-02T10:00:00Z'),
  snap('4', '2026-01-03T09:00:00Z'),
  snap('5', '2026-01-03T10:30:00Z', { tags: ['keep'] }),
  snap('6', '2026-01-05T08:00:00Z'),
];

const TABLE: [string, RetentionPolicy, string[], string[]][] = [
  ['last 2', { last: 2 }, ['6', '5'], ['4', '3', '2', '1']],
  ['daily 3: one per day, newest of each day', { daily: 3 }, ['6', '5', '3'], ['4', '2', '1']],
  ['hourly 10 keeps every hour seen', { hourly: 10 }, ['6', '5', '4', '3', '2', '1'], []],
  ['weekly 2: ISO weeks 2026-W02 and 2026-W01', { weekly: 2 }, ['6', '5'], ['4', '3', '2', '1']],
  ['monthly 2: January and December', { monthly: 2 }, ['6', '1'], ['5', '4', '3', '2']],
  ['yearly 5', { yearly: 5 }, ['6', '1'], ['5', '4', '3', '2']],
  ['within 3d of the newest (strictly after 2026-01-02T08:00)', { within: parseRetentionDuration('3d') }, ['6', '5', '4', '3'], ['2', '1']],
  ['within 2d2h (after 2026-01-03T06:00)', { within: parseRetentionDuration('2d2h') }, ['6', '5', '4'], ['3', '2', '1']],
  ['keep-tag', { tags: [['keep']] }, ['5'], ['6', '4', '3', '2', '1']],
  ['within-daily 4d: one per day after 2026-01-01T08:00', { withinDaily: parseRetentionDuration('4d') }, ['6', '5', '3', '2'], ['4', '1']],
  ['last 1 + monthly 1 + tag', { last: 1, monthly: 1, tags: [['keep']] }, ['6', '5'], ['4', '3', '2', '1']],
];

for (const [name, policy, keep, remove] of TABLE) {
  test(`retention: ${name}`, () => {
    const r = applyPolicy(LIST, policy);
    assert.deepEqual(ids(r.keep), keep);
    assert.deepEqual(ids(r.remove), remove);
    assert.equal(r.reasons.length, r.keep.length);
  });
}

test('retention: reasons and counters read like restic', () => {
  const r = applyPolicy(LIST, { last: 2, daily: 1, tags: [['keep']], within: parseRetentionDuration('1d') });
  assert.deepEqual(r.reasons[0]!.matches, ['within 1d', 'last snapshot', 'daily snapshot']);
  assert.deepEqual(r.reasons[0]!.counters, { last: 1 });
  assert.deepEqual(r.reasons[1]!.matches, ['has tags [keep]', 'last snapshot']);
  assert.deepEqual(r.reasons[1]!.counters, {});
});

test('retention: the empty policy is refused with a clear error', () => {
  assert.throws(() => planForget(LIST, {}, DEFAULT_GROUP_BY), (e) => isLifeboatError(e, 'FORGET_EMPTY_POLICY'));
  assert.throws(() => planForget(LIST, { last: 0, within: parseRetentionDuration('0d') }, DEFAULT_GROUP_BY), (e) => isLifeboatError(e, 'FORGET_EMPTY_POLICY'));
  assert.throws(() => planForget(LIST, { last: -1 }, DEFAULT_GROUP_BY), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
});

test('retention: groups by host and paths by default, filters first', () => {
  const list = [...LIST, snap('7', '2026-01-04T00:00:00Z', { hostname: 'other' }), snap('8', '2026-01-04T00:00:00Z', { paths: ['/x'] })];
  const plan = planForget(list, { last: 1 }, DEFAULT_GROUP_BY);
  assert.equal(plan.groups.length, 3);
  assert.deepEqual(plan.groups.map((g) => ids(g.keep)), [['6'], ['7'], ['8']]);
  const one = planForget(list, { last: 1 }, parseGroupBy(''));
  assert.deepEqual(one.groups.map((g) => ids(g.keep)), [['6']]);
  const filtered = planForget(list, { last: 1 }, DEFAULT_GROUP_BY, { hosts: ['other'] });
  assert.deepEqual(ids(filtered.remove), []);
  assert.deepEqual(filtered.groups.map((g) => g.key.host), ['other']);
  assert.throws(() => parseGroupBy('host,color'), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'));
});

test('retention: durations parse and print as restic', () => {
  assert.deepEqual(parseRetentionDuration('1y5m7d2h'), { years: 1, months: 5, days: 7, hours: 2 });
  assert.equal(formatRetentionDuration(parseRetentionDuration('2h1y')), '1y2h');
  for (const bad of ['', '5', '3w', 'd', '1d ', '-1d']) {
    assert.throws(() => parseRetentionDuration(bad), (e) => isLifeboatError(e, 'INVALID_ARGUMENT'), bad);
  }
  fc.assert(fc.property(fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99), (y, m, d, h) => {
    const dur = { years: y, months: m, days: d, hours: h };
    const text = formatRetentionDuration(dur);
    if (text !== '') assert.deepEqual(parseRetentionDuration(text), dur);
  }));
});

test('retention: calendar arithmetic follows Go (month overflow, ISO weeks, offsets)', () => {
  // 31 March minus one month is 3 March (Go normalises 31 February).
  const t = parseGoTime('2026-03-31T12:00:00Z');
  assert.equal(subtractDuration(t, { years: 0, months: 1, days: 0, hours: 0 }), parseGoTime('2026-03-03T12:00:00Z').unixNs);
  assert.deepEqual(isoWeek(parseGoTime('2027-01-01T00:00:00Z')), { year: 2026, week: 53 });
  assert.deepEqual(isoWeek(parseGoTime('2024-12-30T00:00:00Z')), { year: 2025, week: 1 });
  // Buckets use the snapshot's own offset: 23:30-05:00 is the next day in UTC, same day here.
  const a = snap('1', '2026-01-02T23:30:00-05:00');
  const b = snap('2', '2026-01-02T01:00:00-05:00');
  assert.deepEqual(ids(applyPolicy([a, b], { daily: 5 }).keep), ['1']);
});

const arbList = fc
  .uniqueArray(fc.integer({ min: 0, max: 400 * 24 }), { minLength: 0, maxLength: 40 })
  .map((hours) => hours.map((h, i) => snap(String(i + 1), new Date(Date.UTC(2025, 0, 1) + h * 3_600_000).toISOString().replace('.000', ''))));
const arbPolicy: fc.Arbitrary<RetentionPolicy> = fc.record(
  { last: fc.nat(5), hourly: fc.nat(5), daily: fc.nat(5), weekly: fc.nat(5), monthly: fc.nat(5), yearly: fc.nat(3) },
  { requiredKeys: [] },
);

test('retention: keep and remove partition the group; more counts never keep less', () => {
  fc.assert(
    fc.property(arbList, arbPolicy, fc.constantFrom('last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly' as const), (list, p, bump) => {
      const r = applyPolicy(list, p);
      assert.equal(r.keep.length + r.remove.length, list.length);
      assert.equal(new Set([...r.keep, ...r.remove].map((s) => s.id)).size, list.length);
      // (The empty policy keeps everything, so growing it is not monotonic.)
      if (isEmptyPolicy(p)) return;
      const bigger = applyPolicy(list, { ...p, [bump]: (p[bump] ?? 0) + 1 });
      const kept = new Set(bigger.keep.map((s) => s.id));
      for (const s of r.keep) assert.ok(kept.has(s.id));
    }),
  );
});

test('retention: keep-last N alone keeps exactly the N newest', () => {
  fc.assert(
    fc.property(arbList, fc.integer({ min: 1, max: 50 }), (list, n) => {
      const r = applyPolicy(list, { last: n });
      const newest = [...list].sort((a, b) => Number(b.snapshot.time.unixNs - a.snapshot.time.unixNs)).slice(0, n);
      assert.deepEqual(r.keep.map((s) => s.id), newest.map((s) => s.id));
    }),
  );
});
