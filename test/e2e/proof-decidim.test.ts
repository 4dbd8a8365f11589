import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from './support/run.js';
import { databasesLike, type ProofApp } from './support/proof-app.js';
import { decidimApp, decidimProbes, SMTP_PASSWORD } from './support/decidim-app.js';

interface Drill { ok: boolean; snapshot: string; problems: string[]; keys: { escrowed: string[]; missing: string[] }; probes: { name: string; key?: string; tried: number; opened: number; failed: number; verdict: string }[]; databases: { id: string; ok: boolean; tables: number }[]; files: { files: number; mismatchCount: number }; recoveryTimeMs: number }
interface Guard { ok: boolean; rules: { rule: string; ok: boolean; reason: string }[] }

const ok = (r: ReturnType<ProofApp['run']>, code = 0) => assert.equal(r.status, code, describe(r));

test('the incident replayed on a Decidim-like app: key overwritten, keys and guard refuse, the earlier snapshot is the path back', async (t) => {
  const app = decidimApp(t);
  ok(app.run(['init', '--app', 'portal']));
  ok(app.run(['backup', '--app', 'portal']));

  const first = app.json<Drill>(app.run(['drill', '--app', 'portal', '--json']));
  assert.equal(first.ok, true, JSON.stringify(first.problems));
  assert.deepEqual(first.keys.missing, []);
  assert.ok(first.keys.escrowed.includes('SECRET_KEY_BASE'));
  assert.deepEqual(first.databases.map((d) => [d.id, d.ok, d.tables]), [[`postgres/${app.db}`, true, 4]]);
  const opened = first.probes.filter((p) => p.verdict === 'passed').map((p) => [p.name, p.opened, p.failed]);
  assert.deepEqual(opened, [
    ['decidim_organizations.smtp_settings encrypted_password', 1, 0],
    ['decidim_organizations.omniauth_settings secrets', 1, 0],
    ['decidim_authorizations.metadata', 5, 0],
    ['config/credentials.yml.enc', 1, 0],
    ['votes metadata', 3, 0],
    ['logo link', 1, 0],
  ]);
  assert.equal(first.files.mismatchCount, 0);
  // Drilled from the other location too: the guard wants copies, not one lucky repository.
  const offsite = app.run(['drill', '--app', 'portal', '--location', 'offsite']);
  ok(offsite);
  assert.match(offsite.stdout, /drill passed/);
  assert.match(offsite.stdout, /recovery time/);
  assert.ok(!offsite.stdout.includes(SMTP_PASSWORD) && !offsite.stdout.includes(app.skb));

  ok(app.run(['check', '--app', 'portal']));
  const before = app.run(['guard', '--app', 'portal']);
  ok(before);
  ok(app.run(['keys', '--app', 'portal']));

  // The incident: the key in the app is overwritten (a redeploy generated a new one).
  const newKey = randomBytes(64).toString('hex');
  writeFileSync(join(app.root, '.env'), `SECRET_KEY_BASE=${newKey}\nDATABASE_URL=postgres://postgres@127.0.0.1:5432/${app.db}\n`);

  const keys = app.run(['keys', '--app', 'portal']);
  ok(keys, 1);
  assert.match(keys.stdout, /SECRET_KEY_BASE\s+local\s+CHANGED since \d{4}-/);
  assert.match(keys.stdout, /SECRET_KEY_BASE\s+offsite\s+CHANGED since/);
  assert.match(keys.stderr, /EMERGENCY: the live SECRET_KEY_BASE does not open .*1 of 1 values of logo link.* in the live database.*the key escrowed in the latest snapshot opens them/);
  for (const s of [app.skb, newKey, SMTP_PASSWORD]) assert.ok(!keys.stdout.includes(s) && !keys.stderr.includes(s), 'no secret in the output');

  const guard = app.run(['guard', '--app', 'portal', '--json']);
  ok(guard, 1);
  const verdict = app.json<Guard>(guard);
  assert.equal(verdict.ok, false);
  const broken = verdict.rules.filter((r) => !r.ok).map((r) => r.rule);
  assert.ok(broken.includes('keys'), JSON.stringify(verdict.rules));
  assert.match(verdict.rules.find((r) => r.rule === 'keys')!.reason, /SECRET_KEY_BASE CHANGED since local/);
  const text = app.run(['guard', '--app', 'portal']);
  assert.match(text.stdout, /^BROKEN keys: /m);

  // The path back: the earlier snapshot's escrowed key still opens the data.
  const back = app.json<Drill>(app.run(['drill', '--app', 'portal', '--snapshot', first.snapshot, '--json']));
  assert.equal(back.ok, true, JSON.stringify(back.problems));
  assert.ok(back.probes.some((p) => p.key === 'SECRET_KEY_BASE' && p.opened > 0 && p.failed === 0));

  const history = app.run(['history', '--app', 'portal', '--json']);
  ok(history);
  const kinds = app.json<{ runs: { kind: string; ok: boolean }[] }>(history).runs.map((r) => `${r.kind}:${r.ok}`);
  for (const k of ['backup:true', 'drill:true', 'check:true', 'guard:true', 'guard:false', 'keys:false']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(' ')}`);
  assert.deepEqual(databasesLike(app.scratchPrefix), []);
  assert.deepEqual(existsSync(join(app.stateDir, 'drills')) ? readdirSync(join(app.stateDir, 'drills')) : [], []);
});

test('a snapshot made without the key makes drill and guard fail loudly, naming it', async (t) => {
  const app = decidimApp(t);
  app.writeConfig('portal', `preset: decidim\nroot: ${app.root}\nlocations: [local, offsite]\nignore: [secrets]\n${decidimProbes(app.link)}`);
  ok(app.run(['init', '--app', 'portal']));
  ok(app.run(['backup', '--app', 'portal']));
  const drill = app.run(['drill', '--app', 'portal']);
  ok(drill, 1);
  assert.match(drill.stdout, /key SECRET_KEY_BASE is NOT in snapshot [0-9a-f]{8}/);
  assert.match(drill.stdout, /drill FAILED/);
  ok(app.run(['check', '--app', 'portal']));
  const guard = app.json<Guard>(app.run(['guard', '--app', 'portal', '--json']));
  assert.equal(guard.ok, false);
  const contents = guard.rules.find((r) => r.rule === 'contents')!;
  assert.equal(contents.ok, false);
  assert.match(contents.reason, /lacks key SECRET_KEY_BASE/);
  assert.match(guard.rules.find((r) => r.rule === 'drill')!.reason, /no drill has passed/);
});
