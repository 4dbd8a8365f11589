// Fault trials for mirrored locations (local disk, SFTP through real OpenSSH, S3 through
// s3rver), through the CLI. After each trial: no location holds a snapshot whose data is
// missing (check passes everywhere), the healthy ones hold the backup, and after
// `lifeboat sync` all hold the same snapshots and pass check --read-data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3ServerAvailable } from '../../src/backend/s3-server.test-util.js';
import { sshdAvailable } from '../../src/backend/sshd.test-util.js';
import { writeDataFile } from './support/data.js';
import { startNetLocations, type NetLocations } from './support/net-locations.js';
import { describe as show, expectExit, lifeboat, lifeboatSpawn, parseJsonOutput, sleep, TempDir, type RunResult } from './support/run.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = sshdAvailable() && s3ServerAvailable() ? false : 'needs root, /usr/sbin/sshd, s3rver and openssl';
const BEHIND = 4;
let net: NetLocations;
let tmp: TempDir;
let src = '';
let passwordFile = '';
let trial = 0;

before(async () => {
  if (skip) return;
  net = await startNetLocations();
  tmp = new TempDir('lifeboat-e2e-faults-');
  src = tmp.join('src');
  mkdirSync(join(src, 'd'), { recursive: true });
  writeDataFile(join(src, 'a.bin'), 12 * 1024 * 1024, 'faults-a');
  writeDataFile(join(src, 'd', 'b.bin'), 4 * 1024 * 1024, 'faults-b', 2);
  writeFileSync(join(src, 'd', 'c.txt'), 'c\n');
  passwordFile = tmp.join('password');
  writeFileSync(passwordFile, 'faults password\n', { mode: 0o600 });
});
after(async () => {
  await net?.cleanup();
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  tmp?.cleanup();
});

const mounts: string[] = [];
function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'none', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  mounts.push(dir);
}

interface Trial {
  readonly urls: string[];
  /** Where each location's snapshot files are, on this machine (the servers run here). */
  readonly snapshotDirs: string[];
  readonly dataDirs: string[];
}

/** Three fresh locations: local, sftp, s3 (or a local one on a given folder). */
function newTrial(localDir?: string, sftpDir?: string): Trial {
  const n = ++trial;
  const local = localDir ?? tmp.join(`local-${n}`);
  const sftp = sftpDir ?? join(net.sshd.dataDir, `trial-${n}`);
  const prefix = `trial-${n}`;
  const s3Dir = join(net.s3.dir, 'data', 'lifeboat-e2e', prefix);
  const t = { urls: [local, net.sftpUrl(sftp), net.s3Url(prefix)], snapshotDirs: [join(local, 'snapshots'), join(sftp, 'snapshots'), join(s3Dir, 'snapshots')], dataDirs: [join(local, 'data'), join(sftp, 'data'), join(s3Dir, 'data')] };
  expectExit(lb(['init', ...rs(t)]), 0);
  return t;
}

let big = '';
/** 40 MiB more, so that an upload is still going when a server is stopped. */
function bigSrc(): string {
  if (big === '') {
    big = tmp.join('big');
    mkdirSync(big);
    writeDataFile(join(big, 'big.bin'), 40 * 1024 * 1024, 'faults-big');
  }
  return big;
}

function rs(t: Trial): string[] {
  return t.urls.flatMap((u) => ['-r', u]);
}

function lb(args: string[]): RunResult {
  return lifeboat({}, args, { env: net.lifeboatEnv({ LIFEBOAT_PASSWORD_FILE: passwordFile, LIFEBOAT_STATE_DIR: tmp.join('state') }), timeoutMs: 300_000 });
}

/** Snapshot IDs in a location's folder (s3rver stores objects as `<key>._S3rver_object`). */
function snapshotsAt(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((n) => n.replace(/\._S3rver_object$/, '')).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort();
}

function packCount(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true }).filter((n) => /[0-9a-f]{64}(\._S3rver_object)?$/.test(String(n))).length;
}

/** check on every location; the snapshots each holds. Fails if any location lacks data for a snapshot it holds. */
function checkEvery(t: Trial, readData: boolean): string[][] {
  return t.urls.map((u, i) => {
    const r = lb(['check', '-r', u, ...(readData ? ['--read-data'] : [])]);
    assert.equal(r.status, 0, `location ${i} fails check:\n${show(r)}`);
    return snapshotsAt(t.snapshotDirs[i]!);
  });
}

/** sync, then every location holds the same snapshots and passes check --read-data. */
function syncAndVerify(t: Trial, expected: string[]): void {
  const sync = lb(['sync', ...rs(t), '--json']);
  assert.equal(sync.status, 0, show(sync));
  const after = checkEvery(t, true);
  for (const s of after) assert.deepEqual(s, [...expected].sort());
}

function backup(t: Trial): RunResult {
  return lb(['backup', ...rs(t), '--json', '--pack-size', '1', src]);
}

function result(r: RunResult): { snapshotId: string; behind: string[]; locations: { name: string; behind: boolean; reason?: string }[] } {
  return parseJsonOutput(r)[0] as never;
}

describe('fault trials over three locations (local, sftp, s3)', { skip, timeout: 600_000 }, () => {
  it('a location down before the backup', async () => {
    const t = newTrial();
    await net.sshd.stop();
    let r: RunResult;
    try {
      r = backup(t);
    } finally {
      await net.sshd.start();
    }
    assert.equal(r.status, BEHIND, show(r));
    const { snapshotId, behind } = result(r);
    assert.equal(behind.length, 1);
    assert.match(behind[0]!, /^sftp:/);
    assert.match(r.stderr, /missing from 1 location/);
    const before = checkEvery(t, false);
    assert.deepEqual(before, [[snapshotId], [], [snapshotId]]);
    const status = parseJsonOutput(expectExit(lb(['locations', ...rs(t), '--json']), 0))[0] as { locations: { snapshotsBehind: number; reachable: boolean }[] };
    assert.deepEqual(status.locations.map((l) => [l.reachable, l.snapshotsBehind]), [[true, 0], [true, 1], [true, 0]]);
    syncAndVerify(t, [snapshotId]);
  });

  for (const which of ['sftp', 's3'] as const) {
    it(`the connection cut mid-upload (${which} server stopped during the backup)`, { timeout: 180_000 }, async () => {
      const t = newTrial();
      const i = which === 'sftp' ? 1 : 2;
      const server = which === 'sftp' ? net.sshd : net.s3;
      const child = lifeboatSpawn({}, ['backup', ...rs(t), '--json', '--pack-size', '1', src, bigSrc()], { env: net.lifeboatEnv({ LIFEBOAT_PASSWORD_FILE: passwordFile, LIFEBOAT_STATE_DIR: tmp.join('state') }) });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      // 'close', not 'exit': the output may still be in the pipe when the process ends.
      const exited = new Promise<number | null>((res) => child.once('close', (code) => res(code)));
      // Wait for the first pack however slow the machine is (a loaded CI machine took over 10 s).
      let ended = false;
      void exited.then(() => (ended = true));
      for (let k = 0; k < 12_000 && !ended && packCount(t.dataDirs[i]!) < 1; k++) await sleep(10);
      assert.ok(packCount(t.dataDirs[i]!) >= 1, 'the backup uploaded no pack before the deadline');
      await server.stop();
      const code = await exited;
      await server.start();
      assert.equal(code, BEHIND, `stdout: ${stdout}\nstderr: ${stderr}`);
      const { snapshotId, behind } = JSON.parse(stdout) as { snapshotId: string; behind: string[] };
      assert.deepEqual(behind, [behindName(t, i)]);
      const before = checkEvery(t, false);
      assert.deepEqual(before[i], [], 'the location cut off holds no snapshot');
      assert.deepEqual(before[0], [snapshotId]);
      syncAndVerify(t, [snapshotId]);
    });
  }

  it('a location that refuses writes: no space (tiny tmpfs behind sftp)', { skip: root ? false : 'needs mount' }, () => {
    const sftpDir = join(net.sshd.dataDir, `full-${++trial}`);
    mountTmpfs(sftpDir, '3m');
    const t = newTrial(undefined, join(sftpDir, 'repo'));
    const r = backup(t);
    assert.equal(r.status, BEHIND, show(r));
    const { snapshotId, locations } = result(r);
    assert.match(locations[1]!.reason ?? '', /no space left on the server/);
    assert.deepEqual(checkEvery(t, false), [[snapshotId], [], [snapshotId]]);
    // Make room, then sync.
    assert.equal(spawnSync('mount', ['-o', 'remount,size=200m', sftpDir]).status, 0);
    syncAndVerify(t, [snapshotId]);
  });

  it('a location that refuses writes: permission denied (read-only file system)', { skip: root ? false : 'needs mount' }, () => {
    const localDir = tmp.join(`ro-${++trial}`);
    mountTmpfs(localDir, '200m');
    const t = newTrial(join(localDir, 'repo'));
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', localDir]).status, 0);
    const r = backup(t);
    assert.equal(spawnSync('mount', ['-o', 'remount,rw', localDir]).status, 0);
    assert.equal(r.status, BEHIND, show(r));
    const { snapshotId, locations } = result(r);
    assert.match(locations[0]!.reason ?? '', /read-only file system/);
    assert.deepEqual(checkEvery(t, false), [[], [snapshotId], [snapshotId]]);
    syncAndVerify(t, [snapshotId]);
  });

  it('kill -9 of Lifeboat mid-upload', async () => {
    const t = newTrial();
    const first = result(expectExit(backup(t), 0)).snapshotId;
    writeDataFile(join(src, 'later.bin'), 6 * 1024 * 1024, 'faults-later');
    const child = lifeboatSpawn({}, ['backup', ...rs(t), '--pack-size', '1', src], { env: net.lifeboatEnv({ LIFEBOAT_PASSWORD_FILE: passwordFile }) });
    const exited = new Promise((res) => child.once('close', res));
    const packs = t.dataDirs.map(packCount);
    for (let k = 0; k < 600 && t.dataDirs.every((d, j) => packCount(d) === packs[j]); k++) await sleep(10);
    child.kill('SIGKILL');
    await exited;
    // The interrupted run left no snapshot anywhere, and every location still checks.
    assert.deepEqual(checkEvery(t, false), [[first], [first], [first]]);
    syncAndVerify(t, [first]);
    // The next backup works over all three (stale locks of the dead process do not block).
    const next = result(expectExit(backup(t), 0)).snapshotId;
    syncAndVerify(t, [first, next]);
  });
});

/** The name the CLI gives location i in `behind`: its printable location. */
function behindName(t: Trial, i: number): string {
  const r = expectExit(lb(['locations', ...rs(t), '--json']), 0);
  return (parseJsonOutput(r)[0] as { locations: { name: string }[] }).locations[i]!.name;
}
