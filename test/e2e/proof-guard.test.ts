import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from './support/run.js';
import { decidimApp, decidimProbes } from './support/decidim-app.js';

interface Guard { ok: boolean; rules: { rule: string; ok: boolean; reason: string }[] }

function firstPack(repo: string): string {
  const data = join(repo, 'data');
  for (const d of readdirSync(data)) for (const f of readdirSync(join(data, d))) return join(data, d, f);
  throw new Error('no pack');
}

test('guard: exit 0 with every rule satisfied; exit 1 naming the rule when one is broken', async (t) => {
  const app = decidimApp(t);
  const base = `preset: decidim\nroot: ${app.root}\nlocations: [local, offsite]\n${decidimProbes(app.link)}`;
  const run = (args: string[], code: number) => {
    const r = app.run(args);
    assert.equal(r.status, code, describe(r));
    return r;
  };
  const guard = (code: number): { verdict: Guard; broken: string[]; text: string } => {
    const verdict = app.json<Guard>(run(['guard', '--app', 'portal', '--json'], code));
    const text = run(['guard', '--app', 'portal'], code).stdout;
    return { verdict, broken: verdict.rules.filter((r) => !r.ok).map((r) => r.rule), text };
  };
  run(['init', '--app', 'portal'], 0);
  run(['backup', '--app', 'portal'], 0);
  run(['drill', '--app', 'portal'], 0);
  run(['check', '--app', 'portal'], 0);

  const all = guard(0);
  assert.equal(all.verdict.ok, true);
  assert.deepEqual(all.verdict.rules.map((r) => [r.rule, r.ok]), [['fresh', true], ['copies', true], ['contents', true], ['keys', true], ['drill', true], ['checks', true]]);
  assert.match(all.text, /^guard: ok/m);

  // copies: the config asks for more locations than hold the snapshot.
  app.writeConfig('portal', `${base}\nguard: { min_locations: 3 }`);
  const copies = guard(1);
  assert.deepEqual(copies.broken, ['copies']);
  assert.match(copies.text, /^BROKEN copies: .*at least 3 needed/m);
  app.writeConfig('portal', base);

  // checks: a pack of the offsite location grows a byte; its check fails.
  const pack = firstPack(join(app.dir, 'repo-offsite'));
  const size = statSync(pack).size;
  appendFileSync(pack, Buffer.from([0]));
  run(['check', '--app', 'portal', '--location', 'offsite'], 1);
  const checks = guard(1);
  assert.deepEqual(checks.broken, ['checks']);
  assert.match(checks.text, /^BROKEN checks: the last check of offsite .* failed/m);
  truncateSync(pack, size);
  run(['check', '--app', 'portal', '--location', 'offsite'], 0);
  guard(0);

  // drill: the journal is lost (it is only a convenience): no drill on record until one runs again.
  // The checks still count: the locations keep their own record of the last passed check.
  renameSync(join(app.stateDir, 'journal.sqlite'), join(app.stateDir, 'journal.sqlite.old'));
  const drill = guard(1);
  assert.deepEqual(drill.broken, ['drill']);
  assert.match(drill.text, /^BROKEN drill: no drill has passed; run "lifeboat drill --app portal"/m);
  run(['drill', '--app', 'portal'], 0);
  guard(0);

  // keys: the live key changes; the drill rule follows (no drill since the change).
  writeFileSync(join(app.root, '.env'), `SECRET_KEY_BASE=${randomBytes(64).toString('hex')}\nDATABASE_URL=postgres://postgres@127.0.0.1:5432/${app.db}\n`);
  const keys = guard(1);
  assert.deepEqual(keys.broken, ['keys', 'drill']);
  assert.match(keys.text, /^BROKEN keys: SECRET_KEY_BASE CHANGED since local/m);
  // --fresh makes a backup and drills it: the new key is escrowed (its drill cannot open the old data).
  const fresh = app.json<Guard & { fresh?: { snapshot?: string; drillOk?: boolean } }>(run(['guard', '--app', 'portal', '--fresh', '--json'], 1));
  assert.match(fresh.fresh?.snapshot ?? '', /^[0-9a-f]{64}$/);
  assert.equal(fresh.fresh?.drillOk, false);
  assert.deepEqual(fresh.rules.filter((r) => !r.ok).map((r) => r.rule), ['drill']);
});
