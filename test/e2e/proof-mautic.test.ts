import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mauticEncrypt, mauticKey } from '../../src/apps/probes/index.js';
import { describe } from './support/run.js';
import { databasesLike, makeProofApp, mysql } from './support/proof-app.js';

interface Drill { ok: boolean; snapshot: string; problems: string[]; probes: { name: string; key?: string; tried: number; opened: number; failed: number; verdict: string }[]; databases: { id: string; ok: boolean; tables: number }[] }
interface Guard { ok: boolean; rules: { rule: string; ok: boolean; reason: string }[] }

const API_SECRET = 'api-secret-never-printed';
const phpString = (s: string): string => `s:${Buffer.byteLength(s)}:"${s}";`;
const localPhp = (db: string, secret: string): string =>
  `<?php\n$parameters = array(\n  'db_driver' => 'pdo_mysql',\n  'db_host' => 'localhost',\n  'db_name' => '${db}',\n  'db_user' => 'root',\n  'db_table_prefix' => 'mt_',\n  'secret_key' => '${secret}',\n);\n`;

test('the incident replayed on a Mautic-like app on MariaDB', async (t) => {
  const app = makeProofApp(t, 'mautic');
  const secret = randomBytes(32).toString('hex');
  mysql(undefined, `CREATE DATABASE ${app.db}`);
  t.after(() => void mysql(undefined, `DROP DATABASE IF EXISTS ${app.db}`));
  const key = mauticKey(secret);
  // api_keys: a PHP-serialized array whose values are each encrypted by Mautic.
  const apiKeys = (entries: Record<string, string>): string =>
    `a:${Object.keys(entries).length}:{${Object.entries(entries).map(([k, v]) => { const c = mauticEncrypt(key, phpString(v)); return `${phpString(k)}s:${c.length}:"${c}";`; }).join('')}}`;
  const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  mysql(app.db, `
    CREATE TABLE mt_plugin_integration_settings (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(191), api_keys LONGTEXT);
    CREATE TABLE mt_leads (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(191));
    INSERT INTO mt_plugin_integration_settings (name, api_keys) VALUES ('Salesforce', ${q(apiKeys({ client_id: 'id-1', client_secret: API_SECRET }))}), ('Twitter', ${q(apiKeys({ access_token: 'tok' }))}), ('Unused', NULL);
    INSERT INTO mt_leads (email) VALUES ('a@example.org'), ('b@example.org'), ('c@example.org');
  `);
  mkdirSync(join(app.root, 'config'), { recursive: true });
  mkdirSync(join(app.root, 'media', 'images'), { recursive: true });
  writeFileSync(join(app.root, 'media', 'images', 'logo.png'), randomBytes(20_000));
  writeFileSync(join(app.root, 'config', 'local.php'), localPhp(app.db, secret));
  app.writeConfig('crm', `preset: mautic\nroot: ${app.root}\nlocations: [local, offsite]`);
  const ok = (r: ReturnType<typeof app.run>, code = 0) => assert.equal(r.status, code, describe(r));

  ok(app.run(['init', '--app', 'crm']));
  ok(app.run(['backup', '--app', 'crm']));
  const first = app.json<Drill>(app.run(['drill', '--app', 'crm', '--json']));
  assert.equal(first.ok, true, JSON.stringify(first.problems));
  assert.deepEqual(first.databases.map((d) => [d.id, d.ok, d.tables]), [[`mysql/${app.db}`, true, 2]]);
  assert.deepEqual(first.probes.map((p) => [p.name, p.key, p.tried, p.opened, p.failed]), [['plugin_integration_settings.api_keys', 'secret_key', 3, 3, 0]]);
  ok(app.run(['drill', '--app', 'crm', '--location', 'offsite']));
  ok(app.run(['check', '--app', 'crm']));
  ok(app.run(['guard', '--app', 'crm']));

  // The incident: Mautic started on an empty config volume and wrote itself a new secret_key.
  writeFileSync(join(app.root, 'config', 'local.php'), localPhp(app.db, randomBytes(32).toString('hex')));
  const keys = app.run(['keys', '--app', 'crm']);
  ok(keys, 1);
  assert.match(keys.stdout, /secret_key\s+local\s+CHANGED since/);
  assert.match(keys.stderr, /EMERGENCY: the live secret_key does not open 3 of 3 values of plugin_integration_settings\.api_keys/);
  assert.ok(!keys.stdout.includes(secret) && !keys.stderr.includes(secret) && !keys.stdout.includes(API_SECRET));
  const guard = app.run(['guard', '--app', 'crm', '--json']);
  ok(guard, 1);
  const verdict = app.json<Guard>(guard);
  assert.match(verdict.rules.find((r) => r.rule === 'keys')!.reason, /secret_key CHANGED since local/);

  const back = app.json<Drill>(app.run(['drill', '--app', 'crm', '--snapshot', first.snapshot, '--json']));
  assert.equal(back.ok, true, JSON.stringify(back.problems));
  assert.equal(back.probes[0]!.opened, 3);

  // --backup-now escrows the new key at once; then keys match again (the data still needs the old one).
  const now = app.run(['keys', '--app', 'crm', '--backup-now', '--json']);
  const report = app.json<{ backup?: { snapshot?: string }; emergency?: string }>(now);
  assert.match(report.backup?.snapshot ?? '', /^[0-9a-f]{64}$/);
  assert.match(report.emergency ?? '', /EMERGENCY/);
  const after = app.json<{ keys: { name: string; state: string }[] }>(app.run(['keys', '--app', 'crm', '--json']));
  assert.ok(after.keys.every((k) => k.state === 'matches'), JSON.stringify(after.keys));
  assert.deepEqual(databasesLike(app.scratchPrefix), []);
});
