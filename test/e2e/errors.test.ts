// Issue #2, "done when" 3: failures give restic's exit codes and one clear line, locks are
// honoured and explained, unreadable files are reported but do not sink the backup, and the
// password never leaks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  describe as show, expectExit, lastJson, lifeboat, lifeboatEnv, lifeboatSpawn, parseJsonOutput, repoCtx, requireRestic, restic,
  resticEnv, sleep, TempDir, LIFEBOAT_CLI, RESTIC, type RepoCtx, type RunResult,
} from './support/run.js';
import { lockIds, writeLock } from './support/locks.js';

const PASSWORD = 'Sekr1t-e2e-Passw0rd-xyzzy-42';
const WRONG = 'wrong-Passw0rd-plugh-17';

/** Every result of this file is kept, to check at the end that no password leaked. */
const results: RunResult[] = [];
function keep(r: RunResult): RunResult {
  results.push(r);
  return r;
}

/** One line `lifeboat: CODE: message`, no stack trace. */
function assertOneLineError(r: RunResult, code: string): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected exactly one line on stderr:\n${show(r)}`);
  assert.match(lines[0]!, new RegExp(`^lifeboat: ${code}: \\S.*$`), show(r));
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace without --debug:\n${show(r)}`);
}

describe('errors, exit codes, locks and secrets', { timeout: 180_000 }, () => {
  const tmp = new TempDir('lifeboat-e2e-errors-');
  let ctx: RepoCtx;
  const src = tmp.join('src');

  before(() => {
    requireRestic();
    ctx = repoCtx(tmp, 'repo', PASSWORD);
    mkdirSync(src);
    writeFileSync(`${src}/a.txt`, 'some data\n');
    writeFileSync(`${src}/b.bin`, Buffer.alloc(100_000, 7));
    keep(expectExit(lifeboat(ctx, ['init', '--json']), 0));
    keep(expectExit(lifeboat(ctx, ['backup', '--json', src]), 0));
  });
  after(() => tmp.cleanup());

  test('wrong password: exit 12 and one line REPO_WRONG_PASSWORD, stack only with --debug', () => {
    const wrongFile = tmp.join('wrong.password');
    writeFileSync(wrongFile, WRONG + '\n');
    const c = { repo: ctx.repo, passwordFile: wrongFile };
    for (const cmd of [['snapshots'], ['backup', src], ['check'], ['ls', 'latest']]) {
      const r = keep(lifeboat(c, cmd));
      expectExit(r, 12);
      assertOneLineError(r, 'REPO_WRONG_PASSWORD');
      assert.equal(r.stdout, '', show(r));
    }
    // The same through LIFEBOAT_PASSWORD.
    const e = keep(lifeboat({}, ['snapshots'], { env: lifeboatEnv({ repo: ctx.repo }, { LIFEBOAT_PASSWORD: WRONG }) }));
    expectExit(e, 12);
    assertOneLineError(e, 'REPO_WRONG_PASSWORD');
    // --json: the error is a JSON object on stderr.
    const j = keep(lifeboat(c, ['snapshots', '--json']));
    expectExit(j, 12);
    const err = JSON.parse(j.stderr.trim()) as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'REPO_WRONG_PASSWORD', show(j));
    // --debug adds the stack (so its absence above is a choice, not a lack of information).
    const d = keep(lifeboat(c, ['snapshots', '--debug']));
    expectExit(d, 12);
    assert.match(d.stderr, /^lifeboat: REPO_WRONG_PASSWORD: /, show(d));
    assert.match(d.stderr, /^\s+at /m, `--debug should print a stack:\n${show(d)}`);
  });

  test('missing repository: exit 10, one line REPO_NOT_FOUND', () => {
    const c = { repo: tmp.join('does-not-exist'), passwordFile: ctx.passwordFile };
    for (const cmd of [['snapshots'], ['backup', src], ['check'], ['restore', 'latest', '--target', tmp.join('nowhere')], ['unlock']]) {
      const r = keep(lifeboat(c, cmd));
      expectExit(r, 10);
      assertOneLineError(r, 'REPO_NOT_FOUND');
    }
    // Also an existing directory that is not a repository.
    mkdirSync(tmp.join('empty-dir'));
    const r = keep(lifeboat({ repo: tmp.join('empty-dir'), passwordFile: ctx.passwordFile }, ['snapshots']));
    expectExit(r, 10);
    assertOneLineError(r, 'REPO_NOT_FOUND');
  });

  test('an exclusive lock held elsewhere: backup exits 11 naming the holder; unlock keeps it unless --remove-all', async () => {
    const since = new Date(Date.now() - 5 * 60 * 1000);
    const id = await writeLock(ctx, { exclusive: true, hostname: 'otherhost', pid: 4242, time: since, username: 'alice' });
    try {
      const r = keep(lifeboat(ctx, ['backup', src]));
      expectExit(r, 11);
      assertOneLineError(r, 'REPO_LOCKED');
      assert.match(r.stderr, /otherhost/, `the message should name the host:\n${show(r)}`);
      assert.match(r.stderr, /\b4242\b/, `the message should name the PID:\n${show(r)}`);
      assert.ok(r.stderr.includes(since.toISOString()) || r.stderr.includes(since.toISOString().slice(0, 16)), `the message should say since when:\n${show(r)}`);
      const rj = keep(lifeboat(ctx, ['check', '--json']));
      expectExit(rj, 11);
      assert.equal((JSON.parse(rj.stderr.trim()) as { error: { code: string } }).error.code, 'REPO_LOCKED');

      // Not stale (another host, 5 minutes old): plain unlock keeps it.
      const u = keep(expectExit(lifeboat(ctx, ['unlock', '--json']), 0));
      const uj = lastJson<{ removed: { id: string }[]; kept: { id: string }[] }>(u);
      assert.deepEqual(uj.kept.map((l) => l.id), [id], show(u));
      assert.deepEqual(uj.removed, [], show(u));
      assert.deepEqual(lockIds(ctx), [id]);

      // An hour-old lock is stale: unlock removes it and keeps the fresh one.
      const old = await writeLock(ctx, { exclusive: false, hostname: 'otherhost', pid: 77, time: new Date(Date.now() - 60 * 60 * 1000) });
      const u2 = keep(expectExit(lifeboat(ctx, ['unlock', '--json']), 0));
      const u2j = lastJson<{ removed: { id: string }[]; kept: { id: string }[] }>(u2);
      assert.deepEqual(u2j.removed.map((l) => l.id), [old], show(u2));
      assert.deepEqual(lockIds(ctx), [id]);

      // A lock of a dead process on this host is stale: a backup goes ahead despite it.
      const dead = spawnSync('/bin/true');
      await writeLock(ctx, { exclusive: true, hostname: hostname(), pid: dead.pid!, time: new Date() });
      await writeLock(ctx, { exclusive: false, hostname: 'third-host', pid: 1, time: new Date() });
      assert.equal(lockIds(ctx).length, 3);
      const all = keep(expectExit(lifeboat(ctx, ['unlock', '--remove-all', '--json']), 0));
      assert.equal(lastJson<{ removed: unknown[] }>(all).removed.length, 3, show(all));
      assert.deepEqual(lockIds(ctx), []);
      // The dead-process lock alone does not block a backup.
      await writeLock(ctx, { exclusive: true, hostname: hostname(), pid: dead.pid!, time: new Date() });
      keep(expectExit(lifeboat(ctx, ['backup', '--json', src]), 0));
    } finally {
      keep(lifeboat(ctx, ['unlock', '--remove-all']));
    }
    assert.deepEqual(lockIds(ctx), []);
  });

  test('a lock held by a running restic blocks an exclusive Lifeboat command (exit 11)', async () => {
    // restic backup --stdin holds a shared lock until its stdin closes.
    const child = spawn(RESTIC, ['backup', '--stdin', '--stdin-filename', 'held.txt'], {
      env: resticEnv(ctx), stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      for (let i = 0; i < 100 && lockIds(ctx).length === 0; i++) await sleep(100);
      assert.equal(lockIds(ctx).length, 1, `restic did not take a lock: ${stderr}`);
      const r = keep(lifeboat(ctx, ['check']));
      expectExit(r, 11);
      assertOneLineError(r, 'REPO_LOCKED');
      assert.match(r.stderr, new RegExp(`\\b${child.pid}\\b`), `should name restic's PID ${child.pid}:\n${show(r)}`);
      // A shared lock does not block another shared one.
      keep(expectExit(lifeboat(ctx, ['backup', '--json', src]), 0));
    } finally {
      child.stdin.end('held by restic\n');
      await once(child, 'exit');
    }
    assert.equal(child.exitCode, 0, stderr);
  });

  test('an unreadable source file: exit 3, the error names it, the other files are in the snapshot', () => {
    // Root reads every file, so Lifeboat runs as nobody (65534) over a repository nobody owns.
    const nobody = new TempDir('lifeboat-e2e-nobody-');
    try {
      chmodSync(nobody.path, 0o755);
      const nctx = repoCtx(nobody, 'repo', PASSWORD);
      const nsrc = nobody.join('src');
      mkdirSync(nsrc);
      writeFileSync(`${nsrc}/readable-1.txt`, 'one\n');
      writeFileSync(`${nsrc}/unreadable.txt`, 'no\n');
      writeFileSync(`${nsrc}/readable-2.txt`, 'two\n');
      mkdirSync(`${nsrc}/sub`);
      writeFileSync(`${nsrc}/sub/readable-3.txt`, 'three\n');
      for (const p of [nobody.path, nctx.passwordFile, nsrc, `${nsrc}/readable-1.txt`, `${nsrc}/unreadable.txt`, `${nsrc}/readable-2.txt`, `${nsrc}/sub`, `${nsrc}/sub/readable-3.txt`]) chownSync(p, 65534, 65534);
      chmodSync(`${nsrc}/unreadable.txt`, 0o000);
      const asNobody = (args: string[]): RunResult => {
        const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, LIFEBOAT_CLI, ...args], {
          env: lifeboatEnv(nctx, { HOME: nobody.path }), encoding: 'utf8', timeout: 60_000,
        });
        assert.ok(!r.error, `cannot run setpriv (util-linux): ${r.error?.message}`);
        return keep({ status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, what: `(as nobody) lifeboat ${args.join(' ')}` });
      };
      expectExit(asNobody(['init']), 0);
      const text = asNobody(['backup', nsrc]);
      expectExit(text, 3);
      assert.match(text.stderr, /unreadable\.txt/, `the error should name the file:\n${show(text)}`);
      assert.doesNotMatch(text.stderr, /^\s+at /m, show(text));
      const b = asNobody(['backup', '--json', nsrc]);
      expectExit(b, 3);
      const s = lastJson<{ snapshotId: string; errors: { path: string; message: string }[] }>(b);
      assert.equal(s.errors.length, 1, show(b));
      assert.equal(s.errors[0]!.path, `${nsrc}/unreadable.txt`, show(b));
      // The snapshot exists and holds the other files.
      const ls = restic(nctx, ['ls', '--json', '--no-lock', s.snapshotId]);
      expectExit(ls, 0);
      const paths = ls.stdout.split('\n').filter((l) => l.includes('"path"')).map((l) => (JSON.parse(l) as { path: string }).path);
      for (const f of ['readable-1.txt', 'readable-2.txt', 'sub/readable-3.txt']) assert.ok(paths.includes(`${nsrc}/${f}`), `${f} missing from the snapshot: ${paths.join(', ')}`);
      assert.ok(!paths.includes(`${nsrc}/unreadable.txt`), `the unreadable file should not be in the snapshot`);
      expectExit(restic(nctx, ['check', '--no-lock']), 0);
    } finally {
      nobody.cleanup();
    }
  });

  test('--json output of every command is valid JSON', () => {
    const target = tmp.join('restore-json');
    const cmds: string[][] = [
      ['snapshots', '--json'],
      ['ls', '--json', 'latest'],
      ['stats', '--json'],
      ['check', '--json'],
      ['key', 'list', '--json'],
      ['cat', 'config', '--json'],
      ['unlock', '--json'],
      ['restore', 'latest', '--target', target, '--json'],
      ['backup', '--json', src],
    ];
    for (const c of cmds) {
      const r = keep(lifeboat(ctx, c));
      expectExit(r, 0);
      parseJsonOutput(r);
      assert.equal(r.stderr.trim(), '', `no progress or chatter on stderr with --json:\n${show(r)}`);
    }
    const init = keep(lifeboat({ repo: tmp.join('json-init'), passwordFile: ctx.passwordFile }, ['init', '--json']));
    expectExit(init, 0);
    parseJsonOutput(init);
  });

  test('the password is not in the argv of a running Lifeboat', async () => {
    for (const env of [lifeboatEnv(ctx), lifeboatEnv({ repo: ctx.repo }, { LIFEBOAT_PASSWORD: PASSWORD })]) {
      // backup --stdin keeps running while its stdin stays open.
      const child = lifeboatSpawn(ctx, ['backup', '--stdin', '--stdin-filename', 'argv.txt', '--json'], { env });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      await sleep(700);
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      child.stdin!.end('data\n');
      await once(child, 'exit');
      keep({ status: child.exitCode, signal: null, stdout: out, stderr: err, what: 'backup --stdin' });
      assert.equal(child.exitCode, 0, err);
      assert.ok(!cmdline.includes(PASSWORD), `password in argv: ${cmdline}`);
    }
  });

  test('no output of any command in this file contains a password', () => {
    assert.ok(results.length > 20, `only ${results.length} results collected`);
    for (const r of results) {
      for (const secret of [PASSWORD, WRONG]) {
        assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `a password appears in the output of ${r.what}`);
      }
    }
    // Nor in the repository itself (a key file holds it only through scrypt).
    const grep = spawnSync('grep', ['-rlF', PASSWORD, ctx.repo], { encoding: 'utf8' });
    assert.equal(grep.stdout, '', `password found in repository files: ${grep.stdout}`);
  });
});
