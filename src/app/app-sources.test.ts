import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '../errors/index.js';
import { resolveAppSources } from './app-sources.js';
import { parseConfig } from './config/load-config.js';
import { testEnvironment } from './test-environment.test-util.js';

function app(root: string, extra: string) {
  const r = parseConfig(`locations:\n  l: { url: /r, password_file: /p }\napps:\n  portal:\n    preset: decidim\n    root: ${root}\n    locations: [l]\n${extra}`, '/etc/lifeboat/lifeboat.yaml', {});
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  return r.config.apps['portal']!;
}

test('the config overrides, adds to and ignores what the preset found', () => {
  const root = mkdtempSync(join(tmpdir(), 'lb-apps-merge-'));
  try {
    mkdirSync(join(root, 'storage'));
    mkdirSync(join(root, 'public/uploads'), { recursive: true });
    writeFileSync(join(root, '.env'), 'SECRET_KEY_BASE=preset-value\nDATABASE_URL=postgres://u@h/found\n');
    writeFileSync(join(root, 'db.pass'), 'pg-password\n');
    const env = testEnvironment();
    const found = resolveAppSources('portal', app(root, ''), env).specs;
    assert.deepEqual(found.map((s) => s.kind), ['postgres', 'files', 'secrets']);
    const merged = resolveAppSources('portal', app(root, `    ignore: [public/uploads/, .env, RAILS_MASTER_KEY]\n    sources:\n      - postgres: { host: 127.0.0.1, database: real, password_file: db.pass }\n      - files: { paths: [extra] }\n      - secrets: { values: [{ name: SECRET_KEY_BASE, from: .env }] }\n`), env).specs;
    assert.deepEqual(merged.map((s) => s.kind), ['files', 'postgres', 'files', 'secrets', 'secrets']);
    const pgSpec = merged.find((s) => s.kind === 'postgres');
    assert.deepEqual(pgSpec, { kind: 'postgres', host: '127.0.0.1', password: 'pg-password', database: 'real', origin: 'apps.portal in the config' });
    assert.deepEqual(merged.filter((s) => s.kind === 'files').map((s) => s.kind === 'files' && s.paths), [[join(root, 'storage')], [join(root, 'extra')]]);
    const [configSecrets, presetSecrets] = merged.filter((s) => s.kind === 'secrets');
    assert.equal(configSecrets!.kind === 'secrets' && configSecrets!.values[0]!.name, 'SECRET_KEY_BASE', 'config secrets come first and win');
    assert.ok(presetSecrets!.kind === 'secrets' && !presetSecrets!.files.some((f) => f.path === join(root, '.env')));
    assert.throws(() => resolveAppSources('portal', app(root, `    sources:\n      - mysql: { database: x, password_env: LB_NOT_SET }\n`), env), (e) => isLifeboatError(e, 'SOURCE_AUTH_FAILED') && /LB_NOT_SET/.test(e.message));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
