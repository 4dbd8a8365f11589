import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileInfo } from './backend.js';
import { runBackendContract } from './backend.contract.js';
import { checkHostKey, knownHostsLine } from './known-hosts.js';
import { SftpBackend, type SftpOptions } from './sftp-backend.js';
import { sshdAvailable, startSshd, type SshdFixture } from './sshd.test-util.js';
import { withRetry } from './retry-backend.js';
import { rejectsWith, file } from './backend-test.test-util.js';

const skip = sshdAvailable() ? false : 'needs root and /usr/sbin/sshd';
let sshd: SshdFixture;
let counter = 0;

before(async () => {
  if (!skip) sshd = await startSshd();
});
after(async () => {
  await sshd?.cleanup();
});

function opts(over: Partial<SftpOptions> = {}): SftpOptions {
  return {
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.user,
    path: join(sshd.dataDir, `repo-${++counter}`),
    privateKey: sshd.privateKey,
    knownHostsFile: sshd.knownHostsFile,
    ...over,
  };
}

if (!skip) {
  runBackendContract('sftp (OpenSSH sshd)', async () => {
    const o = opts();
    return { backend: new SftpBackend(o), cleanup: async () => rmSync(o.path, { recursive: true, force: true }) };
  });
}

describe('SftpBackend', { skip }, () => {
  it('writes restic layout on the server, with no temp files left', async () => {
    const o = opts();
    const b = new SftpBackend(o);
    try {
      await b.create();
      const pack = file('data', 300_000);
      await b.save(pack.h, pack.data);
      assert.deepEqual(readFileSync(join(o.path, 'data', pack.h.name.slice(0, 2), pack.h.name)), Buffer.from(pack.data));
      assert.equal(b.location, `sftp://root@127.0.0.1:${sshd.port}/${o.path}`);
    } finally {
      await b.close();
    }
  });

  it('refuses an unknown host key, and accepts and records it only when asked', async () => {
    const kh = join(sshd.dir, `kh-${++counter}`);
    const refused = new SftpBackend(opts({ knownHostsFile: kh }));
    await rejectsWith(refused.stat({ type: 'config', name: '' }), 'BACKEND_HOST_KEY_REJECTED', /is not in .*ACCEPT_NEW_HOST_KEY/);
    await refused.close();
    const accepting = new SftpBackend(opts({ knownHostsFile: kh, acceptNewHostKey: true }));
    await rejectsWith(accepting.stat({ type: 'config', name: '' }), 'BACKEND_NOT_FOUND');
    await accepting.close();
    assert.match(readFileSync(kh, 'utf8'), new RegExp(`^\\[127.0.0.1\\]:${sshd.port} ssh-ed25519 `));
    // Now known: a later connection without the option is accepted.
    const later = new SftpBackend(opts({ knownHostsFile: kh }));
    await rejectsWith(later.stat({ type: 'config', name: '' }), 'BACKEND_NOT_FOUND');
    await later.close();
  });

  it('refuses a changed host key even with accept-new', async () => {
    const kh = join(sshd.dir, `kh-${++counter}`);
    const other = Buffer.from(sshd.hostKeyLine.split(' ')[1]!, 'base64');
    other[other.length - 1] ^= 1;
    writeFileSync(kh, knownHostsLine('127.0.0.1', sshd.port, other));
    const b = new SftpBackend(opts({ knownHostsFile: kh, acceptNewHostKey: true }));
    await rejectsWith(b.stat({ type: 'config', name: '' }), 'BACKEND_HOST_KEY_REJECTED', /differs from the one/);
    await b.close();
  });

  it('a refused key is permanent (not retried), a refused connection transient', async () => {
    // A valid key the server does not list in authorized_keys: its own host key.
    const privateKey = readFileSync(join(sshd.dir, 'host_ed25519'));
    let retries = 0;
    const wrongKey = withRetry(new SftpBackend(opts({ privateKey })), { attempts: 3, baseDelayMs: 1, onRetry: () => retries++ });
    await rejectsWith(wrongKey.stat({ type: 'config', name: '' }), 'BACKEND_AUTH_FAILED', /refused the login/);
    assert.equal(retries, 0);
    await wrongKey.close();
    const down = withRetry(new SftpBackend(opts({ port: 1 })), { attempts: 2, baseDelayMs: 1, onRetry: () => retries++ });
    await rejectsWith(down.stat({ type: 'config', name: '' }), 'BACKEND_IO', /cannot connect to .*ECONNREFUSED/);
    assert.equal(retries, 1);
    await down.close();
  });

  it('no space and a read-only file system are told apart from transient failures', { skip: canMount() ? false : 'needs mount' }, async () => {
    const mnt = join(sshd.dir, `mnt-${++counter}`);
    mkdirSync(mnt);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'none', mnt]);
    const b = new SftpBackend(opts({ path: join(mnt, 'repo') }));
    try {
      await b.create();
      const big = file('data', 1024 * 1024);
      await rejectsWith(b.save(big.h, big.data), 'BACKEND_NO_SPACE', /no space left on the server/);
      assert.deepEqual(await collect(b.list('data')), []);
      const small = file('snapshot', 100);
      await b.save(small.h, small.data);
      spawnSync('mount', ['-o', 'remount,ro', mnt]);
      const more = file('snapshot', 100);
      await rejectsWith(b.save(more.h, more.data), 'BACKEND_PERMISSION_DENIED', /read-only file system/);
      assert.equal((await b.stat(small.h)).size, 100);
    } finally {
      await b.close();
      spawnSync('umount', [mnt]);
    }
  });

  it('a missing type folder is not created by save', async () => {
    const o = opts();
    const b = new SftpBackend(o);
    try {
      await b.create();
      rmSync(join(o.path, 'snapshots'), { recursive: true });
      const snap = file('snapshot');
      await rejectsWith(b.save(snap.h, snap.data), 'BACKEND_NOT_FOUND', /create the repository first/);
      assert.equal(existsSync(join(o.path, 'snapshots')), false);
    } finally {
      await b.close();
    }
  });

  it('reconnects after the server restarts', async () => {
    const o = opts();
    const b = withRetry(new SftpBackend(o), { attempts: 20, baseDelayMs: 50, maxDelayMs: 200 });
    try {
      await b.create();
      const one = file('index');
      await b.save(one.h, one.data);
      await sshd.stop();
      const restarted = sshd.start();
      const two = file('index');
      await b.save(two.h, two.data);
      await restarted;
      assert.deepEqual(Buffer.from(await b.load(two.h)), Buffer.from(two.data));
    } finally {
      await b.close();
    }
  });
});

describe('checkHostKey', () => {
  const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), randomBytes(32)]);
  const b64 = key.toString('base64');
  it('matches plain and hashed entries, by port', () => {
    assert.equal(checkHostKey(`[h]:2222 ssh-ed25519 ${b64}\n`, 'h', 2222, key), 'match');
    assert.equal(checkHostKey(`h ssh-ed25519 ${b64}\n`, 'h', 22, key), 'match');
    assert.equal(checkHostKey(`h ssh-ed25519 ${b64}\n`, 'h', 2222, key), 'unknown');
    // `ssh-keygen -H` form for "h": HMAC-SHA1 keyed by the salt.
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('h').digest('base64')}`;
    assert.equal(checkHostKey(`${hashed} ssh-ed25519 ${b64}\n`, 'h', 22, key), 'match');
    assert.equal(checkHostKey(`${hashed} ssh-ed25519 ${b64}\n`, 'g', 22, key), 'unknown');
  });
  it('a different key of the same type is a mismatch; of another type, unknown; revoked wins', () => {
    const other = Buffer.from(key);
    other[other.length - 1] ^= 1;
    assert.equal(checkHostKey(`h ssh-ed25519 ${other.toString('base64')}\n`, 'h', 22, key), 'mismatch');
    assert.equal(checkHostKey(`h ecdsa-sha2-nistp256 AAAA\n`, 'h', 22, key), 'unknown');
    assert.equal(checkHostKey(`@revoked h ssh-ed25519 ${b64}\nh ssh-ed25519 ${b64}\n`, 'h', 22, key), 'revoked');
    assert.equal(checkHostKey(`h,!h ssh-ed25519 ${b64}\n`, 'h', 22, key), 'unknown');
  });
  it('survives garbage lines', () => {
    assert.equal(checkHostKey('#c\n\n@\nx\n|1|zz ssh-ed25519\n\u0000\u0001 a b c d\n', 'h', 22, key), 'unknown');
    assert.equal(checkHostKey('', 'h', 22, new Uint8Array([0, 0])), 'unknown');
  });
});


function canMount(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0 && spawnSync('mount', ['--version']).status === 0;
}

async function collect(it: AsyncIterable<FileInfo>): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const x of it) out.push(x);
  return out;
}
