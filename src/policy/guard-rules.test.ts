import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GUARD_THRESHOLDS, type GuardFacts, type SnapshotFacts } from './guard-facts.js';
import { GUARD_RULES, judgeGuard, type GuardRule } from './guard-rules.js';

const NOW = new Date('2026-12-01T09:00:00Z');
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);
const FP = 'a'.repeat(64);

function snap(id: string, h: number, over: Partial<SnapshotFacts> = {}): SnapshotFacts {
  return {
    id,
    time: hoursAgo(h),
    databases: ['postgres/decidim'],
    keys: [{ name: 'SECRET_KEY_BASE', fingerprint: FP }],
    declared: { databases: ['postgres/decidim'], secrets: ['SECRET_KEY_BASE'] },
    ...over,
  };
}

/** Every rule holds. */
function good(): GuardFacts {
  return {
    now: NOW,
    declared: { databases: ['postgres/decidim'], secrets: ['SECRET_KEY_BASE'] },
    locations: [
      { name: 'local', latest: snap('1111111111', 2), lastCheck: { at: hoursAgo(1), ok: true } },
      { name: 'offsite', latest: snap('2222222222', 3), lastCheck: { at: hoursAgo(1), ok: true } },
    ],
    liveKeys: [{ name: 'SECRET_KEY_BASE', fingerprint: FP }],
    drills: [{ at: hoursAgo(1), location: 'local', snapshot: '1111111111', snapshotTime: hoursAgo(2), ok: true }],
    lastKeyChange: hoursAgo(24 * 30),
  };
}

const brokenRules = (f: GuardFacts): GuardRule[] => judgeGuard(f, DEFAULT_GUARD_THRESHOLDS).rules.filter((r) => !r.ok).map((r) => r.rule);

test('every rule satisfied: the guard passes, one ok verdict per rule in order', () => {
  const v = judgeGuard(good(), DEFAULT_GUARD_THRESHOLDS);
  assert.equal(v.ok, true);
  assert.deepEqual(v.rules.map((r) => r.rule), [...GUARD_RULES]);
  for (const r of v.rules) assert.ok(r.ok && r.reason.length > 0 && !r.reason.includes('\n'), `${r.rule}: ${r.reason}`);
});

/** Each case breaks exactly one rule; the reason must say what is wrong. */
/** Each case breaks `rule`; `also` lists rules that necessarily break with it (a stale snapshot is no recent copy; a key missing from the backup does not match the live one). */
const CASES: { name: string; rule: GuardRule; also?: GuardRule[]; reason: RegExp; facts: (f: GuardFacts) => GuardFacts }[] = [
  {
    name: 'the latest snapshot is 25 h old',
    rule: 'fresh',
    also: ['copies'],
    reason: /25\.0 h old, more than 24 h/,
    facts: (f) => ({ ...f, locations: f.locations.map((l) => ({ ...l, latest: { ...l.latest!, time: hoursAgo(25) } })), drills: [{ ...f.drills[0]!, snapshotTime: hoursAgo(25) }] }),
  },
  {
    name: 'only one location holds a recent snapshot',
    rule: 'copies',
    reason: /in 1 location\(s\), at least 2 needed; missing or stale: offsite/,
    facts: (f) => ({ ...f, locations: [f.locations[0]!, { ...f.locations[1]!, latest: snap('3333333333', 30) }] }),
  },
  {
    // A first user with one location: the reason must say what to change, not "missing or stale: none".
    name: 'the app has only one location configured',
    rule: 'copies',
    reason: /only 1 location\(s\) \(local\), at least 2 needed; add another location to lifeboat\.yaml and to apps\.\S+\.locations.*guard\.min_locations/,
    facts: (f) => ({ ...f, locations: [f.locations[0]!] }),
  },
  {
    name: 'a location is unreachable',
    rule: 'copies',
    reason: /offsite \(connection refused\)/,
    facts: (f) => ({ ...f, locations: [f.locations[0]!, { name: 'offsite', problem: 'connection refused', lastCheck: f.locations[1]!.lastCheck! }] }),
  },
  {
    name: 'the snapshot lacks the key (secret source removed)',
    rule: 'contents',
    also: ['keys'],
    reason: /lacks key SECRET_KEY_BASE/,
    facts: (f) => ({ ...f, locations: f.locations.map((l) => ({ ...l, latest: { ...l.latest!, keys: [], declared: { databases: ['postgres/decidim'], secrets: [] } } })) }),
  },
  {
    name: 'the snapshot lacks a database its own app.json declared',
    rule: 'contents',
    reason: /lacks database postgres\/decidim/,
    facts: (f) => ({ ...f, declared: { databases: [], secrets: ['SECRET_KEY_BASE'] }, locations: f.locations.map((l) => ({ ...l, latest: { ...l.latest!, databases: [] } })) }),
  },
  {
    name: 'the live key changed',
    rule: 'keys',
    reason: /SECRET_KEY_BASE CHANGED since local 11111111/,
    facts: (f) => ({ ...f, liveKeys: [{ name: 'SECRET_KEY_BASE', fingerprint: 'b'.repeat(64) }] }),
  },
  {
    name: 'the live keys cannot be read',
    rule: 'keys',
    reason: /live keys could not be read or compared \(\/srv\/app\/\.env is missing\)/,
    facts: (f) => {
      const { liveKeys: _drop, ...rest } = f;
      return { ...rest, liveKeysProblem: '/srv/app/.env is missing' };
    },
  },
  {
    name: 'no drill has ever passed',
    rule: 'drill',
    reason: /no drill has passed \(1 failed\)/,
    facts: (f) => ({ ...f, drills: [{ ...f.drills[0]!, ok: false }] }),
  },
  {
    name: 'the last passed drill is on a snapshot 8 days old',
    rule: 'drill',
    reason: /more than 7 days old/,
    facts: (f) => ({ ...f, drills: [{ ...f.drills[0]!, snapshotTime: hoursAgo(24 * 8) }] }),
  },
  {
    name: 'the passed drill predates the last key change',
    rule: 'drill',
    reason: /since the keys last changed/,
    facts: (f) => ({ ...f, lastKeyChange: hoursAgo(1.5) }),
  },
  {
    name: 'the last check of a location failed',
    rule: 'checks',
    reason: /last check of offsite .* failed/,
    facts: (f) => ({ ...f, locations: [f.locations[0]!, { ...f.locations[1]!, lastCheck: { at: hoursAgo(1), ok: false } }] }),
  },
  {
    name: 'a location was never checked',
    rule: 'checks',
    reason: /local was never checked/,
    facts: (f) => {
      const { lastCheck: _drop, ...local } = f.locations[0]!;
      return { ...f, locations: [local, f.locations[1]!] };
    },
  },
];

for (const c of CASES) {
  test(`breaks ${c.rule} alone: ${c.name}`, () => {
    const f = c.facts(good());
    const v = judgeGuard(f, DEFAULT_GUARD_THRESHOLDS);
    const bad = v.rules.filter((r) => !r.ok);
    assert.equal(v.ok, false);
    assert.deepEqual(bad.map((r) => r.rule), GUARD_RULES.filter((r) => r === c.rule || c.also?.includes(r)));
    assert.match(bad.find((r) => r.rule === c.rule)!.reason, c.reason);
  });
}

test('the age limit comes from the config', () => {
  const f = CASES[0]!.facts(good());
  assert.deepEqual(brokenRules(f), ['fresh', 'copies']);
  assert.deepEqual(judgeGuard(f, { ...DEFAULT_GUARD_THRESHOLDS, maxAgeHours: 26 }).ok, true);
});

test('thresholds come from the config: one location is enough when min is 1', () => {
  const f = CASES[1]!.facts(good());
  assert.deepEqual(brokenRules(f), ['copies']);
  assert.equal(judgeGuard(f, { ...DEFAULT_GUARD_THRESHOLDS, minLocations: 1 }).ok, true);
});

test('no snapshot anywhere breaks every rule about snapshots and says why per location', () => {
  const f: GuardFacts = { ...good(), locations: [{ name: 'local', problem: 'wrong password', lastCheck: { at: NOW, ok: true } }], drills: [] };
  const v = judgeGuard(f, DEFAULT_GUARD_THRESHOLDS);
  assert.deepEqual(v.rules.filter((r) => !r.ok).map((r) => r.rule), ['fresh', 'copies', 'contents', 'keys', 'drill']);
  assert.match(v.rules[0]!.reason, /local: wrong password/);
});
