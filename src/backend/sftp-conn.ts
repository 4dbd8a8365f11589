// SFTP plumbing for SftpBackend: requests that fail at once on a lost connection, and the
// multi-request operations (pipelined reads and writes, rename, listing, mkdir -p, statvfs).
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import type { Handle } from '../model/index.js';
import type { ByteRange } from './backend.js';
import { checkRange } from './range.js';
import { SFTP_STATUS, sftpStatus } from './sftp-error.js';

const CHUNK = 64 * 1024;
const IN_FLIGHT = 16;

export type Call = <T>(fn: (done: (err: Error | null | undefined, v?: T) => void) => void) => Promise<T>;

export interface Conn {
  readonly client: Client;
  readonly sftp: SFTPWrapper;
  /** Runs one SFTP request; fails at once (CONNECTION_LOST) once the connection is gone. */
  readonly call: Call;
  /** Fails every request still waiting: ssh2 never answers requests made on a dead channel. */
  lose(): void;
}

function lostError(): Error {
  return Object.assign(new Error('the ssh connection was lost'), { code: SFTP_STATUS.CONNECTION_LOST });
}

export function makeConn(client: Client, sftp: SFTPWrapper): Conn {
  const pending = new Set<(e: Error) => void>();
  let dead = false;
  const call: Call = <T>(fn: (done: (err: Error | null | undefined, v?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(lostError());
      pending.add(reject);
      try {
        fn((err, v) => {
          pending.delete(reject);
          if (err) reject(err);
          else resolve(v as T);
        });
      } catch (e) {
        pending.delete(reject);
        reject(e);
      }
    });
  return {
    client,
    sftp,
    call,
    lose() {
      dead = true;
      for (const r of pending) r(lostError());
      pending.clear();
    },
  };
}

export async function writeAll(conn: Conn, handle: Buffer, data: Uint8Array): Promise<void> {
  const { sftp, call: cb } = conn;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < buf.length) {
      const off = next;
      next += CHUNK;
      const len = Math.min(CHUNK, buf.length - off);
      await cb<void>((d) => sftp.write(handle, buf, off, len, off, d));
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, Math.ceil(buf.length / CHUNK)) }, worker));
}

export async function readAll(conn: Conn, handle: Buffer, h: Handle, r: ByteRange): Promise<Uint8Array> {
  const { sftp, call: cb } = conn;
  const out = Buffer.alloc(r.length);
  let next = 0;
  let shortAt: number | undefined;
  async function worker(): Promise<void> {
    while (next < r.length) {
      let off = next;
      next += CHUNK;
      const end = Math.min(off + CHUNK, r.length);
      while (off < end) {
        const n = await cb<number>((d) => sftp.read(handle, out, off, end - off, r.offset + off, d));
        if (!n) {
          shortAt = Math.min(shortAt ?? off, off);
          return;
        }
        off += n;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, Math.ceil(r.length / CHUNK)) }, worker));
  // The file shrank after fstat: report it like any range past the end.
  if (shortAt !== undefined) checkRange(h, r, r.offset + shortAt);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export async function rename(conn: Conn, from: string, to: string): Promise<void> {
  const { sftp, call: cb } = conn;
  try {
    await cb<void>((d) => sftp.ext_openssh_rename(from, to, d));
  } catch (e) {
    // Servers without posix-rename refuse to rename over an existing file: remove it first.
    if (!(e instanceof Error) || !/not support/i.test(e.message)) throw e;
    await cb<void>((d) => sftp.unlink(to, d)).catch(() => undefined);
    await cb<void>((d) => sftp.rename(from, to, d));
  }
}

export interface DirEntry {
  readonly filename: string;
  readonly attrs: Stats;
}

export async function readDir(conn: Conn, dir: string): Promise<DirEntry[]> {
  const { sftp, call: cb } = conn;
  try {
    return await cb<DirEntry[]>((d) => sftp.readdir(dir, d as never));
  } catch (e) {
    if (sftpStatus(e) === SFTP_STATUS.NO_SUCH_FILE) return [];
    throw e;
  }
}

/** mkdir -p over SFTP: each missing component in turn, tolerating ones that exist. */
export async function mkdirs(conn: Conn, path: string): Promise<void> {
  const { sftp, call: cb } = conn;
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    if (p === '' || p === '.') continue;
    const st = await cb<Stats>((d) => sftp.stat(p, d)).catch(() => undefined);
    if (st?.isDirectory()) continue;
    await cb<void>((d) => sftp.mkdir(p, { mode: 0o700 }, d));
  }
}

/**
 * OpenSSH reports "no space" and "read-only file system" as a bare FAILURE. Asking the file
 * system (statvfs@openssh.com) tells them apart, so they fail at once instead of being retried.
 */
type Diagnosis = { code: 'BACKEND_NO_SPACE' | 'BACKEND_PERMISSION_DENIED'; reason: string; advice: string };

export async function diagnose(conn: Conn, dir: string, size: number): Promise<Diagnosis | undefined> {
  const { sftp, call: cb } = conn;
  try {
    const fs = await cb<{ f_bavail: number | bigint; f_frsize: number | bigint; f_flag: number | bigint }>((d) => sftp.ext_openssh_statvfs(dir, d as never));
    const [bavail, frsize, flag] = [Number(fs.f_bavail), Number(fs.f_frsize), Number(fs.f_flag)];
    if ((flag & 1) !== 0) return { code: 'BACKEND_PERMISSION_DENIED', reason: 'read-only file system', advice: 'remount it read-write on the server or choose another location' };
    if (bavail * frsize < size + 64 * 1024) return { code: 'BACKEND_NO_SPACE', reason: 'no space left on the server', advice: 'free space there or choose another location' };
  } catch {
    // No statvfs extension: leave the failure transient.
  }
  return undefined;
}
