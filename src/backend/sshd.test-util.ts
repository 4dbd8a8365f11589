// Test-only: a real OpenSSH server on a random loopback port, with its own host key,
// authorized_keys and config in a temp dir. Shared by the sftp backend tests and e2e tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const SSHD = '/usr/sbin/sshd';

export interface SshdFixture {
  readonly port: number;
  readonly user: string;
  /** Private key file of a client key the server accepts. */
  readonly identityFile: string;
  readonly privateKey: Buffer;
  /** A known_hosts file holding the server's host key. */
  readonly knownHostsFile: string;
  /** The server's host key line (`ssh-ed25519 AAAA...`). */
  readonly hostKeyLine: string;
  /** A folder for repositories (absolute path on the "server", which is this machine). */
  readonly dataDir: string;
  readonly dir: string;
  /** Stops the server (SIGTERM; established connections end too). */
  stop(): Promise<void>;
  /** Starts it again on the same port, after stop(). */
  start(): Promise<void>;
  /** Stops it for good and removes the temp dir. */
  cleanup(): Promise<void>;
  /** The ssh command restic's `-o sftp.command=` needs, for the given user. */
  sshCommand(): string;
}

export function sshdAvailable(): boolean {
  return spawnSync(SSHD, ['-V'], { encoding: 'utf8' }).error === undefined && typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function keygen(path: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

async function waitForBanner(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await delay(50);
  }
  throw new Error(`sshd did not start on port ${port}: ${log()}`);
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  for (const line of r.stdout.split('\n')) {
    const child = Number(line.trim());
    if (Number.isInteger(child) && child > 0) out.push(child, ...descendants(child));
  }
  return out;
}

/** Starts sshd (as root; the tests skip otherwise). */
export async function startSshd(): Promise<SshdFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-sshd-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'client_ed25519');
  keygen(hostKey);
  keygen(identityFile);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${identityFile}.pub`), { mode: 0o600 });
  const hostKeyLine = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const port = await freePort();
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostKeyLine}\n`, { mode: 0o600 });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'Subsystem sftp internal-sftp',
      'MaxStartups 100',
      'MaxSessions 100',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  let log = '';
  const start = async (): Promise<void> => {
    log = '';
    proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    await waitForBanner(port, proc, () => log);
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    // sshd -D leaves the per-connection children serving open sessions: end them too, so a
    // stopped server really cuts every connection. They are found by parent pid before the
    // listener goes (afterwards they belong to init), so only this server's processes are hit.
    const children = descendants(p.pid!);
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  await start();
  return {
    port,
    user: 'root',
    identityFile,
    privateKey: readFileSync(identityFile),
    knownHostsFile,
    hostKeyLine,
    dataDir,
    dir,
    stop,
    start,
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    sshCommand() {
      return `ssh -i ${identityFile} -p ${port} -o UserKnownHostsFile=${knownHostsFile} -o StrictHostKeyChecking=yes -o BatchMode=yes root@127.0.0.1 -s sftp`;
    },
  };
}
