// Repositories Lifeboat writes through SFTP (real OpenSSH) and S3 (s3rver over TLS) are
// ordinary restic repositories: restic 0.14 checks every byte and restores the same tree.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3ServerAvailable } from '../../src/backend/s3-server.test-util.js';
import { sshdAvailable } from '../../src/backend/sshd.test-util.js';
import { writeDataFile } from './support/data.js';
import { startNetLocations, type NetLocations } from './support/net-locations.js';
import { describe as show, expectExit, lifeboat, parseJsonOutput, restic, TempDir } from './support/run.js';
import { assertSameTree } from './support/tree-compare.js';

const skip = sshdAvailable() && s3ServerAvailable() ? false : 'needs root, /usr/sbin/sshd, s3rver and openssl';
let net: NetLocations;
let tmp: TempDir;
let src = '';
let passwordFile = '';

before(async () => {
  if (skip) return;
  net = await startNetLocations();
  tmp = new TempDir('lifeboat-e2e-locations-');
  src = tmp.join('src');
  mkdirSync(join(src, 'dir', 'deeper'), { recursive: true });
  writeDataFile(join(src, 'big.bin'), 24 * 1024 * 1024, 'interop-big', 3);
  writeDataFile(join(src, 'dir', 'mid.bin'), 3 * 1024 * 1024, 'interop-mid');
  writeFileSync(join(src, 'dir', 'deeper', 'note.txt'), 'a small file\n');
  writeFileSync(join(src, 'empty'), '');
  passwordFile = tmp.join('password');
  writeFileSync(passwordFile, 'interop password\n', { mode: 0o600 });
});
after(async () => {
  await net?.cleanup();
  tmp?.cleanup();
});

function lb(args: string[], extra: Record<string, string> = {}) {
  return lifeboat({}, args, { env: net.lifeboatEnv({ LIFEBOAT_PASSWORD_FILE: passwordFile, ...extra }), timeoutMs: 300_000 });
}

function rs(repo: string, args: string[]) {
  return restic({}, ['-r', repo, ...net.resticArgs(), ...args], { env: net.resticEnv({ RESTIC_PASSWORD_FILE: passwordFile }), timeoutMs: 300_000 });
}

/** Lifeboat backs up `src` to `url`; restic checks every byte and restores it identically. */
function roundTrip(url: string, resticUrl: string, name: string): void {
  expectExit(lb(['init', '-r', url]), 0);
  const backup = expectExit(lb(['backup', '-r', url, '--json', '--pack-size', '4', src]), 0);
  const id = (parseJsonOutput(backup)[0] as { snapshotId: string }).snapshotId;
  const check = expectExit(rs(resticUrl, ['check', '--read-data']), 0);
  assert.match(check.stdout, /no errors were found/, show(check));
  const target = tmp.join(`restore-${name}`);
  expectExit(rs(resticUrl, ['restore', id, '--target', target]), 0);
  assertSameTree(src, join(target, src), { mtimeToleranceNs: 1000n, rootMtime: false }, `restic restore from ${name}`);
  // And Lifeboat reads back what it wrote through the same location.
  expectExit(lb(['check', '-r', url, '--read-data']), 0);
}

describe('restic reads what Lifeboat writes to network locations', { skip }, () => {
  it('SFTP: restic check --read-data and restore', () => {
    const dir = join(net.sshd.dataDir, 'interop-sftp');
    roundTrip(net.sftpUrl(dir), net.resticSftpUrl(dir), 'sftp');
  });

  it('S3: restic check --read-data and restore (multipart uploads included)', () => {
    roundTrip(net.s3Url('interop/s3'), net.s3Url('interop/s3'), 's3');
  });

  it('restic-written repositories on both are read by Lifeboat, and no credential is printed', () => {
    const dir = join(net.sshd.dataDir, 'restic-sftp');
    for (const [url, rurl] of [[net.sftpUrl(dir), net.resticSftpUrl(dir)], [net.s3Url('restic/s3'), net.s3Url('restic/s3')]] as const) {
      expectExit(rs(rurl, ['init', '--repository-version', '2']), 0);
      expectExit(rs(rurl, ['backup', join(src, 'dir')]), 0);
      const snaps = expectExit(lb(['snapshots', '-r', url, '--json']), 0);
      assert.equal((parseJsonOutput(snaps)[0] as unknown[]).length, 1);
      const check = expectExit(lb(['check', '-r', url, '--read-data']), 0);
      for (const out of [snaps.stdout, snaps.stderr, check.stdout, check.stderr]) {
        assert.ok(!out.includes('S3RVER') && !out.includes('PRIVATE KEY'), `a credential was printed:\n${show(check)}`);
      }
    }
  });
});
