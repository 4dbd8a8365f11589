// A first user's mistakes on the README's first command, each answered by one line naming the
// mistake and what to do (found walking through the README; each was a worse message before).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe as show, expectExit, lifeboat, lifeboatEnv, lifeboatInit, repoCtx, TempDir, type RepoCtx, type RunResult } from './support/run.js';
import { writeConfig } from './support/databases.js';

function oneLine(r: RunResult, code: string): string {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr:\n${show(r)}`);
  assert.match(lines[0]!, new RegExp(`^lifeboat: ${code}: `), show(r));
  return lines[0]!;
}

describe('first-user mistakes', { timeout: 120_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-first-user-');
  let ctx: RepoCtx;
  before(() => {
    ctx = repoCtx(tmp, 'repo');
    lifeboatInit(ctx);
    mkdirSync(tmp.join('src'));
    writeFileSync(tmp.join('src', 'a.txt'), 'a\n');
  });
  after(() => tmp.cleanup());

  test('a path under a missing directory is SOURCE_NOT_FOUND naming the path, not an internal error', () => {
    const missing = tmp.join('no-such-dir', 'data');
    const r = expectExit(lifeboat(ctx, ['backup', tmp.join('src'), missing]), 1);
    const line = oneLine(r, 'SOURCE_NOT_FOUND');
    assert.ok(line.includes(`cannot back up ${missing}:`), line);
    assert.match(line, /ENOENT; check the path/);
    assert.doesNotMatch(r.stderr, /INTERNAL|please report/);
    // Nothing was saved.
    assert.match(expectExit(lifeboat(ctx, ['snapshots']), 0).stdout, /0 snapshots|^$/m);
  });

  test('a mistyped option says which and suggests the right one', () => {
    const r = expectExit(lifeboat(ctx, ['snapshots', '--hots', 'x']), 1);
    const line = oneLine(r, 'INVALID_ARGUMENT');
    assert.equal(line, 'lifeboat: INVALID_ARGUMENT: unknown option --hots for "lifeboat snapshots"; did you mean --host? (run "lifeboat snapshots --help" for its options)');
    const j = expectExit(lifeboat(ctx, ['restore', 'latest', '--target', tmp.join('t'), '--exclud', 'x', '--json']), 1);
    assert.equal(j.stdout, '');
    assert.match(JSON.parse(j.stderr).error.message, /unknown option --exclud .*did you mean --exclude\?/);
  });

  test('backup --app refuses paths and path-backup options instead of silently ignoring them', () => {
    const appRepo = repoCtx(tmp, 'app-repo');
    const cfg = tmp.join('lifeboat.yaml');
    writeConfig(cfg, { site: { ...appRepo, body: `sources:\n  - files: { paths: [${tmp.join('src')}] }` } });
    const env = lifeboatEnv({});
    expectExit(lifeboat({}, ['-c', cfg, 'init', '--app', 'site'], { env }), 0);
    const paths = expectExit(lifeboat({}, ['-c', cfg, 'backup', '--app', 'site', '/usr/share/doc'], { env }), 1);
    assert.match(oneLine(paths, 'INVALID_ARGUMENT'), /backup --app takes no paths \(got \/usr\/share\/doc\); add them to apps\.site as a files source/);
    const opts = expectExit(lifeboat({}, ['-c', cfg, 'backup', '--app', 'site', '--exclude', '*.tmp', '--tag', 'x'], { env }), 1);
    assert.match(oneLine(opts, 'INVALID_ARGUMENT'), /backup --app does not take --exclude, --tag: /);
    assert.equal(JSON.parse(expectExit(lifeboat(appRepo, ['snapshots', '--json']), 0).stdout).length, 0);
    // Without them the app backs up.
    expectExit(lifeboat({}, ['-c', cfg, 'backup', '--app', 'site'], { env }), 0);
  });

  test('a wrong number of arguments shows the usage with the command name', () => {
    for (const [args, usage] of [[['key'], 'lifeboat key -r REPO list'], [['dump', 'latest'], 'lifeboat dump -r REPO SNAPSHOT FILE'], [['ls'], 'lifeboat ls -r REPO SNAPSHOT']] as const) {
      const line = oneLine(expectExit(lifeboat(ctx, args), 1), 'INVALID_ARGUMENT');
      assert.ok(line.includes(`usage: ${usage}`), line);
    }
  });
});
