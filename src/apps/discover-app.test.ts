import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DatabaseSpec, FilesSpec, SecretsSpec, SourceSpec } from '../sources/index.js';
import { discoverApp } from './discover-app.js';

function layout(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lb-apps-preset-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(join(root, rel), { recursive: true });
    else writeFileSync(join(root, rel), content);
  }
  return root;
}

const db = (s: readonly SourceSpec[]) => s.find((x): x is DatabaseSpec => x.kind === 'postgres' || x.kind === 'mysql');
const files = (s: readonly SourceSpec[]) => s.filter((x): x is FilesSpec => x.kind === 'files').flatMap((f) => f.paths);
const secrets = (s: readonly SourceSpec[]) => s.find((x): x is SecretsSpec => x.kind === 'secrets');

test('decidim: DATABASE_URL of .env, storage and uploads, SECRET_KEY_BASE and the credential files', () => {
  const root = layout({ '.env': 'SECRET_KEY_BASE=kb\nDATABASE_URL=postgres://decidim:pw@db.local:5433/decidim_production\n', 'storage/ab/x': '1', 'public/uploads/y': '2', 'config/master.key': 'mk', 'config/credentials.yml.enc': 'enc' });
  try {
    const d = discoverApp('decidim', { root, env: {} });
    assert.deepEqual({ ...db(d.sources) }, { kind: 'postgres', url: 'postgres://decidim:pw@db.local:5433/decidim_production', origin: 'preset decidim' });
    assert.deepEqual(files(d.sources), [join(root, 'storage'), join(root, 'public/uploads')]);
    const s = secrets(d.sources)!;
    assert.deepEqual(s.known.map((k) => [k.name, k.value, k.source]), [['SECRET_KEY_BASE', 'kb', `${root}/.env#SECRET_KEY_BASE`]]);
    assert.deepEqual(s.files.map((f) => f.path), [join(root, '.env'), join(root, 'config/master.key'), join(root, 'config/credentials.yml.enc')]);
    // The environment wins over .env, as it does for the app server.
    assert.equal(secrets(discoverApp('decidim', { root, env: { SECRET_KEY_BASE: 'from-env' } }).sources)!.known[0]!.value, 'from-env');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('rails: config/database.yml production with ERB from the environment', () => {
  const yml = `default: &default\n  adapter: postgresql\n  host: <%= ENV.fetch("DB_HOST") { "localhost" } %>\n  username: <%= ENV['DB_USER'] %>\nproduction:\n  <<: *default\n  database: shop_production\n  password: <%= ENV["DB_PASS"] %>\n`;
  const root = layout({ 'config/database.yml': yml });
  try {
    const d = db(discoverApp('rails', { root, env: { DB_USER: 'shop', DB_PASS: 'sekret' } }).sources)!;
    assert.equal(d.kind, 'postgres');
    assert.equal(d.host, 'localhost');
    assert.equal(d.user, 'shop');
    assert.equal(d.password, 'sekret');
    assert.equal(d.database, 'shop_production');
    const notes = discoverApp('rails', { root, env: {} }).notes;
    assert.ok(notes.some((n) => /no SECRET_KEY_BASE/.test(n)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('mautic: db_* and secret_key of config/local.php (or app/config/local.php), media and config', () => {
  const php = "<?php\n$parameters = array(\n 'db_driver' => 'pdo_mysql', 'db_host' => '10.0.0.5', 'db_port' => '3307', 'db_name' => 'mautic', 'db_user' => 'mu', 'db_password' => 'mpw',\n 'secret_key' => 'abc123',\n);\n";
  for (const dir of ['config', 'app/config']) {
    const root = layout({ [`${dir}/local.php`]: php, 'media/images/a.png': 'png' });
    try {
      const d = discoverApp('mautic', { root, env: {} });
      assert.deepEqual({ ...db(d.sources) }, { kind: 'mysql', host: '10.0.0.5', port: 3307, user: 'mu', password: 'mpw', database: 'mautic', origin: 'preset mautic' });
      const s = secrets(d.sources)!;
      assert.deepEqual(s.values, [{ name: 'secret_key', from: join(root, dir, 'local.php'), key: 'secret_key', format: 'php' }]);
      assert.deepEqual(files(d.sources), [join(root, 'media'), join(root, dir)]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test('laravel and nextcloud', () => {
  const lr = layout({ '.env': 'APP_KEY=base64:AAAA\nDB_CONNECTION=mysql\nDB_HOST=127.0.0.1\nDB_PORT=3306\nDB_DATABASE=books\nDB_USERNAME=bk\nDB_PASSWORD=bpw\n', 'storage/app/x': '1' });
  const nc = layout({ 'config/config.php': "<?php\n$CONFIG = array('secret' => 'ncs', 'passwordsalt' => 'salt', 'dbtype' => 'pgsql', 'dbhost' => 'localhost:5433', 'dbname' => 'nextcloud', 'dbuser' => 'nc', 'dbpassword' => 'ncpw');", 'data/admin/files/a': '1' });
  try {
    const l = discoverApp('laravel', { root: lr, env: {} });
    assert.deepEqual({ ...db(l.sources) }, { kind: 'mysql', host: '127.0.0.1', port: 3306, user: 'bk', password: 'bpw', database: 'books', origin: 'preset laravel' });
    assert.deepEqual(secrets(l.sources)!.known.map((k) => k.name), ['APP_KEY']);
    assert.deepEqual(files(l.sources), [join(lr, 'storage')]);
    const n = discoverApp('nextcloud', { root: nc, env: {} });
    assert.deepEqual({ ...db(n.sources) }, { kind: 'postgres', host: 'localhost', port: 5433, user: 'nc', password: 'ncpw', database: 'nextcloud', origin: 'preset nextcloud' });
    assert.deepEqual(secrets(n.sources)!.values.map((v) => v.name), ['secret', 'passwordsalt']);
    assert.deepEqual(files(n.sources), [join(nc, 'data')]);
    assert.deepEqual(discoverApp('generic', { root: nc, env: {} }).sources, []);
    assert.deepEqual(discoverApp('decidim', { root: join(nc, 'nope'), env: {} }).sources, []);
  } finally {
    rmSync(lr, { recursive: true, force: true });
    rmSync(nc, { recursive: true, force: true });
  }
});
