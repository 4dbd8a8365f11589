// CPU cost of mirrored locations: one pass of chunking, compression and encryption serves
// every location, so a backup to three costs well under 1.5x the CPU of a backup to one.
// Prints the figures (CPU time of the Lifeboat process, user + system, from bash's `times`);
// no timing assertion, as the machine is shared.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3ServerAvailable } from '../../src/backend/s3-server.test-util.js';
import { sshdAvailable } from '../../src/backend/sshd.test-util.js';
import { writeDataFile } from './support/data.js';
import { startNetLocations, type NetLocations } from './support/net-locations.js';
import { LIFEBOAT_CLI, TempDir } from './support/run.js';

const skip = sshdAvailable() && s3ServerAvailable() ? false : 'needs root, /usr/sbin/sshd, s3rver and openssl';
let net: NetLocations;
let tmp: TempDir;
let src = '';
let n = 0;

before(async () => {
  if (skip) return;
  net = await startNetLocations();
  tmp = new TempDir('lifeboat-e2e-cpu-');
  src = tmp.join('src');
  mkdirSync(src);
  writeDataFile(join(src, 'data.bin'), 48 * 1024 * 1024, 'cpu', 2);
  writeFileSync(tmp.join('pw'), 'cpu password\n');
});
after(async () => {
  await net?.cleanup();
  tmp?.cleanup();
});

/** CPU seconds (user + system) the command's child processes used, per bash's `times`. */
function cpuOf(args: string[]): number {
  const env = net.lifeboatEnv({ LIFEBOAT_PASSWORD_FILE: tmp.join('pw'), LIFEBOAT_STATE_DIR: tmp.join('state') });
  const quoted = [process.execPath, LIFEBOAT_CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${quoted} >/dev/null || exit 1; times`], { env, encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, r.stderr);
  // Second line: children's user and system time, e.g. "0m1.234s 0m0.321s".
  const line = r.stdout.trim().split('\n')[1]!;
  return line.split(/\s+/).reduce((sum, t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t)!;
    return sum + Number(m[1]) * 60 + Number(m[2]);
  }, 0);
}

function fresh(urls: string[]): string[] {
  const rs = urls.flatMap((u) => ['-r', u]);
  cpuOf(['init', ...rs]);
  return rs;
}

describe('CPU of a backup to three locations vs one', { skip, timeout: 900_000 }, () => {
  it('prints the figures', () => {
    const local = () => tmp.join(`local-${++n}`);
    const sftp = () => net.sftpUrl(join(net.sshd.dataDir, `cpu-${++n}`));
    const s3 = () => net.s3Url(`cpu-${++n}`);
    // The least of two runs of each: the machine is shared, and noise only adds.
    const measure = (urls: () => string[]) => Math.min(...[0, 1].map(() => cpuOf(['backup', ...fresh(urls()), src])));
    const one = measure(() => [local()]);
    const threeLocal = measure(() => [local(), local(), local()]);
    const sftpOne = measure(() => [sftp()]);
    const s3One = measure(() => [s3()]);
    const mixed = measure(() => [local(), sftp(), s3()]);
    const lines = [
      `CPU of one backup of 48 MiB (Lifeboat process, user+system, least of 2 runs):`,
      `  1 local location:               ${one.toFixed(2)} s`,
      `  3 local locations:              ${threeLocal.toFixed(2)} s  (${(threeLocal / one).toFixed(2)}x)`,
      `  1 sftp location:                ${sftpOne.toFixed(2)} s`,
      `  1 s3 location:                  ${s3One.toFixed(2)} s`,
      `  local + sftp + s3 (3 locations): ${mixed.toFixed(2)} s  (${(mixed / one).toFixed(2)}x one local, ${(mixed / sftpOne).toFixed(2)}x one sftp)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    assert.ok(one > 0 && threeLocal > 0 && mixed > 0);
  });
});
