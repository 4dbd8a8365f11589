import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LifeboatError } from '../errors/index.js';
import { planFiles } from './files-source.js';
import { keyFingerprint, keyInventory, planSecrets } from './secrets-source.js';
import type { SecretsSpec } from './source-specs.js';

const spec = (over: Partial<SecretsSpec>): SecretsSpec => ({ kind: 'secrets', files: [], values: [], processEnv: [], known: [], origin: 'test', ...over });

test('secrets: whole files, .env, PHP and YAML values, known values; first name wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-apps-secrets-'));
  try {
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, '.env'), 'SECRET_KEY_BASE=from-dotenv\nOTHER=x\n');
    writeFileSync(join(dir, 'config', 'master.key'), 'abcdef0123456789');
    writeFileSync(join(dir, 'config', 'local.php'), "<?php $parameters = array('secret_key' => 'mautic-key');");
    writeFileSync(join(dir, 'config', 'secrets.yml'), 'production:\n  secret_key_base: from-yaml\n');
    const plan = planSecrets([
      spec({ known: [{ name: 'SECRET_KEY_BASE', value: 'from-env', source: 'env:SECRET_KEY_BASE' }] }),
      spec({
        files: [{ path: join(dir, 'config', 'master.key') }, { path: join(dir, 'config', 'absent.key'), optional: true }],
        values: [
          { name: 'SECRET_KEY_BASE', from: join(dir, '.env') },
          { name: 'secret_key', from: join(dir, 'config', 'local.php') },
          { name: 'YAML_KEY', from: join(dir, 'config', 'secrets.yml'), key: 'production.secret_key_base' },
        ],
      }),
    ]);
    const byName = new Map(plan.items.map((i) => [i.name, i]));
    assert.equal(Buffer.from(byName.get('SECRET_KEY_BASE')!.value).toString(), 'from-env');
    assert.equal(byName.get('SECRET_KEY_BASE')!.path, '/secrets/values/SECRET_KEY_BASE');
    assert.equal(Buffer.from(byName.get('secret_key')!.value).toString(), 'mautic-key');
    assert.equal(byName.get('secret_key')!.source, `${join(dir, 'config', 'local.php')}#secret_key`);
    assert.equal(Buffer.from(byName.get('YAML_KEY')!.value).toString(), 'from-yaml');
    assert.equal(byName.get('master.key')!.path, `/secrets/files${dir}/config/master.key`);
    assert.deepEqual(plan.missing, [join(dir, 'config', 'absent.key')]);
    assert.throws(() => planSecrets([spec({ values: [{ name: 'K', from: join(dir, '.env'), key: 'NOPE' }] })]), (e) => e instanceof LifeboatError && e.code === 'SOURCE_NOT_FOUND' && /no NOPE in/.test(e.message));
    assert.throws(() => planSecrets([spec({ files: [{ path: join(dir, 'gone') }] })]), (e) => e instanceof LifeboatError && e.code === 'SOURCE_NOT_FOUND');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('secrets: environment variables of a running process, by pid file and by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-apps-secrets-'));
  const child = spawn('sleep', ['30'], { env: { PATH: process.env['PATH'] ?? '', LB_APPS_PROC_SECRET: 'proc-value-42' }, stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    writeFileSync(join(dir, 'app.pid'), `${child.pid}\n`);
    const plan = planSecrets([spec({ processEnv: [{ pidFile: join(dir, 'app.pid'), names: ['LB_APPS_PROC_SECRET'] }] })]);
    assert.equal(Buffer.from(plan.items[0]!.value).toString(), 'proc-value-42');
    assert.equal(plan.items[0]!.source, `pid ${child.pid}#LB_APPS_PROC_SECRET`);
    const byName = planSecrets([spec({ processEnv: [{ process: 'sleep', names: ['LB_APPS_PROC_SECRET'] }] })]);
    assert.equal(Buffer.from(byName.items[0]!.value).toString(), 'proc-value-42');
    assert.throws(() => planSecrets([spec({ processEnv: [{ process: 'lb-no-such-proc', names: ['X'] }] })]), (e) => e instanceof LifeboatError && /is not running/.test(e.message));
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('key fingerprint: HMAC keyed from the master key, never a plain hash, differs per repository', () => {
  const k1 = new Uint8Array(32).fill(1);
  const k2 = new Uint8Array(32).fill(2);
  const value = new TextEncoder().encode('the-secret-key-base');
  const fk = createHmac('sha256', k1).update('lifeboat key fingerprint v1').digest();
  assert.equal(keyFingerprint(k1, value), createHmac('sha256', fk).update(value).digest('hex'));
  assert.notEqual(keyFingerprint(k1, value), keyFingerprint(k2, value));
  assert.notEqual(keyFingerprint(k1, value), createHash('sha256').update(value).digest('hex'));
  const inv = keyInventory({ items: [{ name: 'A', kind: 'value', source: 's', path: '/secrets/values/A', value }], missing: [] }, k1);
  assert.match(inv.keys[0]!.fingerprint, /^[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(inv).includes('the-secret-key-base'));
});

test('files: excludes are scoped to their own source; one_file_system excludes mount points below', () => {
  const plan = planFiles(
    [
      { kind: 'files', paths: ['/srv/a'], exclude: ['*.tmp', '/srv/a/cache'], oneFileSystem: true, origin: 't' },
      { kind: 'files', paths: ['/srv/b', '/srv/a'], origin: 't' },
    ],
    () => ['/', '/srv/a/mnt[1]', '/srv/ab', '/other'],
  );
  assert.deepEqual(plan.paths, ['/srv/a', '/srv/b']);
  assert.deepEqual(plan.excludes, ['/srv/a/**/*.tmp', '/srv/a/cache', '/srv/a/mnt\\[1\\]']);
});
