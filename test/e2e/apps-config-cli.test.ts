// lifeboat config init / config check through the CLI; look-up of lifeboat.yaml in the working directory.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe as show, expectExit, lifeboat, lifeboatEnv, TempDir } from './support/run.js';

describe('config init and config check', { timeout: 120_000 }, () => {
  const tmp = new TempDir('lb-apps-cfgcli-');
  const env = lifeboatEnv({}, { LIFEBOAT_SYSTEM_CONFIG_DIR: tmp.join('no-etc') });
  after(() => tmp.cleanup());

  test('every preset writes a commented example that config check accepts', () => {
    for (const preset of ['decidim', 'mautic', 'rails', 'laravel', 'nextcloud', 'generic']) {
      const file = tmp.join(`${preset}.yaml`);
      expectExit(lifeboat({}, ['config', 'init', '--preset', preset, '--output', file], { env }), 0);
      assert.match(readFileSync(file, 'utf8'), new RegExp(`preset: ${preset}\\n`));
      const check = expectExit(lifeboat({}, ['-c', file, 'config', 'check', '--json'], { env }), 0);
      assert.equal(JSON.parse(check.stdout).ok, true, show(check));
    }
  });

  test('found in the working directory; never overwritten without --force; unknown preset refused', () => {
    expectExit(lifeboat({}, ['config', 'init', '--preset', 'mautic'], { env, cwd: tmp.path }), 0);
    const again = expectExit(lifeboat({}, ['config', 'init', '--preset', 'decidim'], { env, cwd: tmp.path }), 1);
    assert.match(again.stderr, /^lifeboat: CONFIG_EXISTS: .*lifeboat\.yaml already exists; edit it, or pass --force/);
    assert.match(expectExit(lifeboat({}, ['config', 'check'], { env, cwd: tmp.path }), 0).stdout, /lifeboat\.yaml: ok \(1 app: mautic; locations: local\)/);
    expectExit(lifeboat({}, ['config', 'init', '--preset', 'decidim', '--force'], { env, cwd: tmp.path }), 0);
    assert.match(readFileSync(tmp.join('lifeboat.yaml'), 'utf8'), /preset: decidim/);
    assert.match(expectExit(lifeboat({}, ['config', 'init', '--preset', 'wordpress'], { env, cwd: tmp.path }), 1).stderr, /unknown preset "wordpress"; expected one of: decidim, mautic/);
    const none = expectExit(lifeboat({}, ['apps'], { env, cwd: '/' }), 1);
    assert.match(none.stderr, /^lifeboat: CONFIG_NOT_FOUND: no lifeboat\.yaml in \/ or .*no-etc; write one with "lifeboat config init --preset NAME" or pass -c FILE/);
  });
});
