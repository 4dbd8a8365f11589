import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { laravelEncrypt, laravelKey } from '../../src/apps/probes/index.js';
import { describe } from './support/run.js';
import { makeProofApp, mysql } from './support/proof-app.js';

interface Drill { ok: boolean; problems: string[]; probes: { name: string; key?: string; tried: number; opened: number; failed: number; verdict: string }[] }

test('a generic probe from the config: a Laravel app on MariaDB whose APP_KEY verifies the MAC of its encrypted settings', async (t) => {
  const app = makeProofApp(t, 'laravel');
  const appKey = `base64:${randomBytes(32).toString('base64')}`;
  mysql(undefined, `CREATE DATABASE ${app.db}`);
  t.after(() => void mysql(undefined, `DROP DATABASE IF EXISTS ${app.db}`));
  const key = laravelKey(appKey);
  const rows = ['token-1', 'token-2'].map((v) => `('${laravelEncrypt(key, `s:${v.length}:"${v}";`)}')`).join(', ');
  mysql(app.db, `CREATE TABLE settings (id INT AUTO_INCREMENT PRIMARY KEY, value TEXT); INSERT INTO settings (value) VALUES ${rows};`);
  mkdirSync(join(app.root, 'storage', 'app'), { recursive: true });
  writeFileSync(join(app.root, 'storage', 'app', 'a.txt'), 'attachment');
  const dotEnv = (k: string) => `APP_KEY=${k}\nDB_CONNECTION=mysql\nDB_HOST=localhost\nDB_DATABASE=${app.db}\nDB_USERNAME=root\n`;
  writeFileSync(join(app.root, '.env'), dotEnv(appKey));
  app.writeConfig('books', `preset: laravel\nroot: ${app.root}\nlocations: [local, offsite]\nprobes:\n  - { name: settings.value, format: laravel, key: APP_KEY, engine: mysql, sql: "SELECT value FROM settings" }`);
  const ok = (r: ReturnType<typeof app.run>, code = 0) => assert.equal(r.status, code, describe(r));
  ok(app.run(['init', '--app', 'books']));
  ok(app.run(['backup', '--app', 'books']));
  const d = app.json<Drill>(app.run(['drill', '--app', 'books', '--json']));
  assert.equal(d.ok, true, JSON.stringify(d.problems));
  assert.deepEqual(d.probes.map((p) => [p.name, p.key, p.opened, p.failed]), [['settings.value', 'APP_KEY', 2, 0]]);
  ok(app.run(['keys', '--app', 'books']));

  writeFileSync(join(app.root, '.env'), dotEnv(`base64:${randomBytes(32).toString('base64')}`));
  const keys = app.run(['keys', '--app', 'books']);
  ok(keys, 1);
  assert.match(keys.stdout, /APP_KEY\s+local\s+CHANGED since/);
  assert.match(keys.stderr, /EMERGENCY: the live APP_KEY does not open 2 of 2 values of settings\.value/);
  assert.ok(!keys.stdout.includes(appKey) && !keys.stderr.includes(appKey));
});
