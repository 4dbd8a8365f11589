// forget's plan equals restic 0.14's `forget --dry-run --json` on the same repository, for a
// batch of random policies (counts, within durations, tags, group-by, filters), and a real
// forget removes exactly what restic said it would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe as show, expectExit, lifeboat, repoCtx, requireRestic, restic, resticEnv, resticInit, TempDir, type RepoCtx } from './support/run.js';
import { prng } from './support/prng.js';

const POLICIES = Number(process.env['LIFEBOAT_E2E_POLICIES'] ?? 40);


interface Group {
  host: string;
  paths: string[] | null;
  tags: string[] | null;
  keep: { id: string }[];
  remove: { id: string }[] | null;
  reasons: { snapshot: { time: string; tree: string }; matches: string[]; counters: Record<string, number> }[];
}

/** Groups by key, each reduced to what both tools must agree on. */
function normalise(groups: Group[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const g of groups) {
    const key = JSON.stringify([g.host, g.paths ? [...g.paths].sort() : null, g.tags ? [...g.tags].sort() : null]);
    out[key] = {
      keep: g.keep.map((s) => s.id),
      remove: (g.remove ?? []).map((s) => s.id),
      // restic's reasons carry the snapshot without its ID: match them by time and tree.
      reasons: g.reasons.map((r) => ({ snapshot: `${r.snapshot.time} ${r.snapshot.tree}`, matches: r.matches, counters: r.counters })),
    };
  }
  return out;
}

function randomPolicy(rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const args: string[] = [];
  const maybe = (p: number, f: () => void) => {
    if (rnd() < p) f();
  };
  for (const flag of ['--keep-last', '--keep-hourly', '--keep-daily', '--keep-weekly', '--keep-monthly', '--keep-yearly']) {
    maybe(0.3, () => args.push(flag, String(Math.floor(rnd() * 8))));
  }
  const dur = () => pick(['1d', '3d', '2w'.replace('w', 'd') + '12h', '1m', '2m15d', '1y', '36h', '1y2m3d4h', '10d']);
  for (const flag of ['--keep-within', '--keep-within-hourly', '--keep-within-daily', '--keep-within-weekly', '--keep-within-monthly', '--keep-within-yearly']) {
    maybe(0.12, () => args.push(flag, dur()));
  }
  maybe(0.2, () => args.push('--keep-tag', pick(['gold', 'silver', 'gold,silver', 'bronze'])));
  maybe(0.4, () => args.push('--group-by', pick(['host', 'paths', 'host,paths,tags', 'tags', ''])));
  maybe(0.15, () => args.push('--host', pick(['alpha', 'beta'])));
  maybe(0.15, () => args.push('--tag', pick(['gold', 'silver,gold', 'bronze'])));
  return args;
}

describe('forget plan vs restic 0.14', { timeout: 600_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-forget-');
  let ctx: RepoCtx;

  before(() => {
    requireRestic();
    ctx = repoCtx(tmp, 'repo');
    resticInit(ctx);
    const rnd = prng(20260102);
    for (const d of ['a', 'b']) mkdirSync(tmp.join(d), { recursive: true });
    // 36 snapshots over about two years, denser near the end; distinct times; some in
    // other time zones (restic stores the local offset, buckets use it).
    let t = Date.UTC(2024, 10, 3, 12, 0, 0);
    const times: number[] = [];
    for (let i = 0; i < 36; i++) {
      times.push(t);
      t += Math.floor((i < 18 ? 20 * 86_400_000 : 7 * 3_600_000) * (0.2 + rnd() * 1.6));
    }
    times.forEach((ms, i) => {
      writeFileSync(tmp.join('a', 'f'), `snapshot ${i}\n`);
      writeFileSync(tmp.join('b', 'f'), `snapshot ${i}\n`);
      const tz = i % 7 === 3 ? 'America/New_York' : i % 11 === 5 ? 'Asia/Kolkata' : 'UTC';
      const local = new Date(ms).toLocaleString('sv-SE', { timeZone: tz }); // "2024-11-03 07:00:00"
      const paths = i % 5 === 0 ? [tmp.join('b')] : i % 9 === 0 ? [tmp.join('a'), tmp.join('b')] : [tmp.join('a')];
      const tags = i % 4 === 0 ? ['--tag', 'gold'] : i % 6 === 1 ? ['--tag', 'gold,silver'] : i % 10 === 7 ? ['--tag', 'bronze'] : [];
      const host = i % 3 === 2 ? 'beta' : 'alpha';
      expectExit(restic(ctx, ['backup', '-q', '--time', local, '--host', host, ...tags, ...paths], { env: resticEnv(ctx, { TZ: tz }) }), 0);
    });
  });
  after(() => tmp.cleanup());

  test(`${POLICIES} random policies give restic's groups, keep, remove and reasons`, () => {
    const seed = Number(process.env['LIFEBOAT_E2E_SEED'] ?? 7);
    const rnd = prng(seed);
    let compared = 0;
    let removing = 0;
    for (let i = 0; i < POLICIES; i++) {
      const policy = randomPolicy(rnd);
      const r = restic(ctx, ['forget', '--dry-run', '--json', '--no-lock', ...policy]);
      const l = lifeboat(ctx, ['forget', '--dry-run', '--json', ...policy]);
      const what = `policy ${i} (seed ${seed}): ${policy.join(' ')}`;
      const expected = r.status === 0 && r.stdout.trim() !== '' ? (JSON.parse(r.stdout) as Group[]) : null;
      if (expected === null || expected.every((g) => g.reasons.every((x) => x.matches.includes('policy is empty')))) {
        // restic keeps everything for an empty policy; Lifeboat refuses it with a clear error.
        assert.equal(l.status, 1, `${what}: an empty policy must be refused:\n${show(l)}`);
        assert.match(l.stderr, /FORGET_EMPTY_POLICY/);
        continue;
      }
      expectExit(l, 0);
      assert.deepEqual(normalise(JSON.parse(l.stdout) as Group[]), normalise(expected), what);
      compared++;
      if (expected.some((g) => (g.remove ?? []).length > 0)) removing++;
    }
    assert.ok(compared >= POLICIES / 2, `only ${compared} policies were compared`);
    assert.ok(removing >= compared / 3, `only ${removing} policies removed anything`);
  });

  test('a real forget removes exactly what restic planned, and restic check passes', () => {
    const policy = ['--keep-daily', '3', '--keep-monthly', '2', '--keep-tag', 'bronze'];
    const plan = JSON.parse(expectExit(restic(ctx, ['forget', '--dry-run', '--json', '--no-lock', ...policy]), 0).stdout) as Group[];
    const kept = plan.flatMap((g) => g.keep.map((s) => s.id)).sort();
    const l = expectExit(lifeboat(ctx, ['forget', '--json', ...policy]), 0);
    assert.ok((JSON.parse(l.stdout) as Group[]).some((g) => (g.remove ?? []).length > 0));
    const left = (JSON.parse(expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0).stdout) as { id: string }[]).map((s) => s.id).sort();
    assert.deepEqual(left, kept);
    expectExit(restic(ctx, ['check']), 0);
    // Nothing more to remove: the same policy again keeps everything that is left.
    const again = JSON.parse(expectExit(lifeboat(ctx, ['forget', '--json', ...policy]), 0).stdout) as Group[];
    assert.equal(again.flatMap((g) => g.remove ?? []).length, 0);
  });

  test('an empty policy is refused with one clear line, nothing removed', () => {
    const before = expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0).stdout;
    const l = lifeboat(ctx, ['forget']);
    assert.equal(l.status, 1, show(l));
    assert.match(l.stderr, /^lifeboat: FORGET_EMPTY_POLICY: no retention policy given.*--keep-last/);
    assert.equal(l.stderr.trim().split('\n').length, 1);
    assert.equal(expectExit(restic(ctx, ['snapshots', '--json', '--no-lock']), 0).stdout, before);
  });
});
