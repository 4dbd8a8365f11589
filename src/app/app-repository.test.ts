import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLifeboatError } from '../errors/index.js';
import { appLocations, initAppRepository, openAppBackend, openAppRepository } from './app-repository.js';
import { parseConfig } from './config/load-config.js';
import { testEnvironment } from './test-environment.test-util.js';

function config(dir: string, locations: string) {
  const text = `locations:
  one: { url: ${dir}/repo-one, password_file: ${dir}/pass }
  two: { url: ${dir}/repo-two, password_env: LB_TWO_PASSWORD }
apps:
  site:
    sources: [{ files: { paths: [${dir}] } }]
    locations: ${locations}
`;
  const r = parseConfig(text, join(dir, 'lifeboat.yaml'), {});
  assert.ok(r.ok);
  return r.config;
}

test('an app with one location: init creates its repository once, open opens it with the location password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-apps-repo-'));
  try {
    writeFileSync(join(dir, 'pass'), 'secret one\n');
    const c = config(dir, '[one]');
    const env = testEnvironment();
    const first = await initAppRepository(c, 'site', env);
    assert.equal(first.created, true);
    const again = await initAppRepository(c, 'site', env);
    assert.equal(again.created, false);
    assert.equal(again.repo.config.id, first.repo.config.id);
    const opened = await openAppRepository(c, 'site', env);
    assert.equal(opened.config.id, first.repo.config.id);
    writeFileSync(join(dir, 'pass'), 'another\n');
    await assert.rejects(openAppRepository(c, 'site', env), (e) => isLifeboatError(e, 'REPO_WRONG_PASSWORD'));
    // The message points at the config's password source, not at LIFEBOAT_PASSWORD.
    await assert.rejects(openAppRepository(c, 'site', env), (e) => isLifeboatError(e) && e.message.includes(`locations.one.password_file: ${dir}/pass`) && !e.message.includes('LIFEBOAT_PASSWORD') && !e.message.includes('another'));
    rmSync(join(dir, 'pass'));
    await assert.rejects(openAppRepository(c, 'site', env), (e) => isLifeboatError(e) && e.message.startsWith(`locations.one.password_file: cannot read the password file ${dir}/pass: ENOENT`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('password_env names the variable; unset, the error names it and not a value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-apps-repo-'));
  try {
    const c = config(dir, '[two]');
    await assert.rejects(initAppRepository(c, 'site', testEnvironment()), (e) => isLifeboatError(e, 'REPO_NO_PASSWORD') && e.message.includes('LB_TWO_PASSWORD'));
    const env = testEnvironment({ env: { LB_TWO_PASSWORD: 'pw-two' } });
    assert.equal((await initAppRepository(c, 'site', env)).created, true);
    assert.ok((await openAppRepository(c, 'site', env)).config.id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an app with two locations: init makes both with one master key and config; open reads over the mirror', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-apps-repo-'));
  try {
    writeFileSync(join(dir, 'pass'), 'secret one\n');
    const c = config(dir, '[one, two]');
    const env = testEnvironment({ env: { LB_TWO_PASSWORD: 'pw-two' } });
    const first = await initAppRepository(c, 'site', env);
    assert.equal(first.created, true);
    assert.deepEqual(first.locations.map((l) => l.status), ['created', 'created']);
    const b = openAppBackend(appLocations(c, 'site'), env);
    assert.match(b.location, /^mirror of one \(.*repo-one\), two \(.*repo-two\)$/);
    // Each location alone is a complete repository with the same config, under its own password.
    const { LocalBackend } = await import('../backend/index.js');
    const { Repository } = await import('../repo/index.js');
    const { repoEnv } = await import('./repo-access.js');
    const two = await Repository.open(new LocalBackend(join(dir, 'repo-two')), new TextEncoder().encode('pw-two'), repoEnv(env));
    assert.equal(two.config.id, first.repo.config.id);
    assert.equal(two.config.chunkerPolynomial, first.repo.config.chunkerPolynomial);
    assert.deepEqual(two.key, first.repo.key);
    const again = await initAppRepository(c, 'site', env);
    assert.equal(again.created, false);
    assert.equal((await openAppRepository(c, 'site', env)).config.id, first.repo.config.id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => appLocations(config('/tmp/x', '[one]'), 'nope'), (e) => isLifeboatError(e, 'INVALID_ARGUMENT') && /no app "nope".*site/.test(e.message));
});
