import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname as localDirname } from 'node:path';
import { posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Stats } from 'ssh2';
import { isLifeboatError, LifeboatError } from '../errors/index.js';
import { FILE_TYPES, isId, type FileType, type Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { checkHostKey, fingerprint, knownHostsLine } from './known-hosts.js';
import { dirOf, displayPath, filePath } from './layout.js';
import { checkRange } from './range.js';
import { connectError, SFTP_STATUS, sftpError, sftpStatus } from './sftp-error.js';
import { diagnose, makeConn, mkdirs, readAll, readDir, rename, writeAll, type Conn } from './sftp-conn.js';
import { sftpLocationName } from './location-names.js';

const { Client } = ssh2;
const SUBDIR = /^[0-9a-f]{2}$/;

export interface SftpOptions {
  readonly host: string;
  readonly port?: number;
  readonly username: string;
  /** The repository folder on the server: absolute, or relative to the user's home. */
  readonly path: string;
  /** An OpenSSH or PEM private key (the content, not the file name). */
  readonly privateKey?: Uint8Array;
  readonly passphrase?: string;
  readonly password?: string;
  /** The known_hosts file the server's host key is checked against. */
  readonly knownHostsFile: string;
  /** Accept a host that has no entry yet and append its key (OpenSSH's `accept-new`). Never a changed key. */
  readonly acceptNewHostKey?: boolean;
  readonly readyTimeoutMs?: number;
}

// One SFTP request carries at most this much; several in flight hide the round trips.
/**
 * A Backend on an SSH server's file system through SFTP (ssh2), in restic's layout, so restic's
 * own sftp backend reads the same folder. One connection, opened on first use and opened again
 * after it drops, so `withRetry` recovers from a restarted server. Saves go to a temp name and
 * are renamed into place with OpenSSH's posix-rename, which replaces atomically.
 */
export class SftpBackend implements Backend {
  readonly location: string;
  readonly #opts: SftpOptions;
  readonly #port: number;
  #conn: Promise<Conn> | undefined;
  #closed = false;

  constructor(opts: SftpOptions) {
    this.#opts = opts;
    this.#port = opts.port ?? 22;
    this.location = sftpLocationName(opts);
  }

  #abs(rel: string): string {
    return rel === '' ? this.#opts.path : posix.join(this.#opts.path, rel);
  }

  async save(h: Handle, data: Uint8Array): Promise<void> {
    const rel = filePath(h);
    const final = this.#abs(rel);
    const tmp = `${final}-tmp-${randomBytes(8).toString('hex')}`;
    const what = displayPath(h);
    const conn = await this.#connect();
    const { sftp, call: cb } = conn;
    let wrote = false;
    try {
      const handle = await this.#openTemp(conn, tmp, h.type === 'data' ? posix.dirname(final) : undefined);
      wrote = true;
      try {
        await writeAll(conn, handle, data);
        // Best effort: read-only before it gets its name; fsync where the server offers it.
        await cb<void>((d) => sftp.fchmod(handle, 0o400, d)).catch(() => undefined);
        await cb<void>((d) => sftp.ext_openssh_fsync(handle, d)).catch(() => undefined);
      } finally {
        await cb<void>((d) => sftp.close(handle, d)).catch(() => undefined);
      }
      await rename(conn, tmp, final);
    } catch (e) {
      // Asked before the temp file goes: removing it would free the space that ran out.
      const override = sftpStatus(e) === SFTP_STATUS.FAILURE ? await diagnose(conn, posix.dirname(final), data.length) : undefined;
      if (wrote) await cb<void>((d) => sftp.unlink(tmp, d)).catch(() => undefined);
      this.#dropIfLost(e);
      throw sftpError(e, { op: 'save', what, location: this.location, ...(override ? { override } : {}) });
    }
  }

  async load(h: Handle, range?: ByteRange): Promise<Uint8Array> {
    const path = this.#abs(filePath(h));
    if (range !== undefined) checkRange(h, range);
    const conn = await this.#connect();
    const { sftp, call: cb } = conn;
    let handle: Buffer | undefined;
    try {
      handle = await cb<Buffer>((d) => sftp.open(path, 'r', d));
      const st = await cb<Stats>((d) => sftp.fstat(handle!, d));
      const r = range ?? { offset: 0, length: st.size };
      checkRange(h, r, st.size);
      return await readAll(conn, handle, h, r);
    } catch (e) {
      this.#dropIfLost(e);
      throw sftpError(e, { op: 'load', what: displayPath(h), location: this.location });
    } finally {
      if (handle) await cb<void>((d) => sftp.close(handle!, d)).catch(() => undefined);
    }
  }

  async stat(h: Handle): Promise<FileInfo> {
    const path = this.#abs(filePath(h));
    const conn = await this.#connect();
    const { sftp, call: cb } = conn;
    let st: Stats;
    try {
      st = await cb<Stats>((d) => sftp.stat(path, d));
    } catch (e) {
      this.#dropIfLost(e);
      throw sftpError(e, { op: 'stat', what: displayPath(h), location: this.location });
    }
    if (!st.isFile()) throw sftpError(Object.assign(new Error('not a file'), { code: SFTP_STATUS.NO_SUCH_FILE }), { op: 'stat', what: displayPath(h), location: this.location });
    return { name: h.name, size: st.size };
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const dir = dirOf(type);
    let found: FileInfo[];
    try {
      const conn = await this.#connect();
    const { sftp, call: cb } = conn;
      if (type === 'config') {
        const st = await cb<Stats>((d) => sftp.stat(this.#abs('config'), d)).catch((e: unknown) => {
          if (sftpStatus(e) === SFTP_STATUS.NO_SUCH_FILE) return undefined;
          throw e;
        });
        found = st?.isFile() ? [{ name: '', size: st.size }] : [];
      } else if (type === 'data') {
        found = [];
        for (const sub of await readDir(conn, this.#abs(dir))) {
          if (!SUBDIR.test(sub.filename) || !sub.attrs.isDirectory()) continue;
          for (const f of await readDir(conn, this.#abs(`${dir}/${sub.filename}`))) {
            if (isId(f.filename) && f.filename.startsWith(sub.filename) && f.attrs.isFile()) found.push({ name: f.filename, size: f.attrs.size });
          }
        }
      } else {
        found = (await readDir(conn, this.#abs(dir))).filter((f) => isId(f.filename) && f.attrs.isFile()).map((f) => ({ name: f.filename, size: f.attrs.size }));
      }
    } catch (e) {
      this.#dropIfLost(e);
      throw sftpError(e, { op: 'list', what: `${dir}/`, location: this.location });
    }
    yield* found;
  }

  async remove(h: Handle): Promise<void> {
    const path = this.#abs(filePath(h));
    const conn = await this.#connect();
    const { sftp, call: cb } = conn;
    try {
      await cb<void>((d) => sftp.unlink(path, d));
    } catch (e) {
      this.#dropIfLost(e);
      throw sftpError(e, { op: 'remove', what: displayPath(h), location: this.location });
    }
  }

  async create(): Promise<void> {
    const conn = await this.#connect();
    const { sftp, call: cb } = conn;
    try {
      const config = await cb<Stats>((d) => sftp.stat(this.#abs('config'), d)).catch(() => undefined);
      if (config?.isFile()) throw new LifeboatError('BACKEND_ALREADY_EXISTS', `a repository already exists at ${this.location} (it has a config file); use it, or choose another location`);
      await mkdirs(conn, this.#opts.path);
      for (const type of FILE_TYPES) if (type !== 'config') await mkdirs(conn, this.#abs(dirOf(type)));
    } catch (e) {
      this.#dropIfLost(e);
      throw sftpError(e, { op: 'create', what: 'the repository', location: this.location });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) await conn.then((c) => c.client.end(), () => undefined);
  }

  /** A request that got no answer means the connection is gone: the next call opens a new one. */
  #dropIfLost(e: unknown): void {
    // Our own verdicts (a range past the end, a refused handle) say nothing about the connection.
    if (isLifeboatError(e)) return;
    if (sftpStatus(e) === undefined || sftpStatus(e) === SFTP_STATUS.CONNECTION_LOST || sftpStatus(e) === SFTP_STATUS.NO_CONNECTION) {
      const conn = this.#conn;
      this.#conn = undefined;
      conn?.then((c) => c.client.end(), () => undefined);
    }
  }

  async #openTemp(conn: Conn, tmp: string, dataSubdir: string | undefined): Promise<Buffer> {
    const { sftp, call: cb } = conn;
    try {
      return await cb<Buffer>((d) => sftp.open(tmp, 'wx', { mode: 0o600 }, d));
    } catch (e) {
      // Only a missing data/xx is created: a missing type folder means the wrong path or an unmounted disk.
      if (sftpStatus(e) !== SFTP_STATUS.NO_SUCH_FILE || dataSubdir === undefined) throw e;
      await cb<void>((d) => sftp.mkdir(dataSubdir, { mode: 0o700 }, d)).catch(() => undefined);
      return await cb<Buffer>((d) => sftp.open(tmp, 'wx', { mode: 0o600 }, d));
    }
  }

  #connect(): Promise<Conn> {
    if (this.#closed) return Promise.reject(new LifeboatError('INTERNAL', `the sftp backend for ${this.location} is closed`));
    if (this.#conn === undefined) {
      const p = this.#dial();
      this.#conn = p;
      p.catch(() => {
        if (this.#conn === p) this.#conn = undefined;
      });
    }
    return this.#conn;
  }

  #dial(): Promise<Conn> {
    const o = this.#opts;
    return new Promise<Conn>((resolve, reject) => {
      const client = new Client();
      let hostKeyProblem: LifeboatError | undefined;
      let settled = false;
      let conn: Conn | undefined;
      client.on('ready', () => {
        client.sftp((err, sftp) => {
          settled = true;
          if (err) {
            client.end();
            reject(connectError(err, this.location, undefined));
          } else {
            conn = makeConn(client, sftp);
            sftp.on('close', () => conn?.lose());
            resolve(conn);
          }
        });
      });
      client.on('error', (e) => {
        conn?.lose();
        if (!settled) {
          settled = true;
          reject(connectError(e, this.location, hostKeyProblem));
        }
      });
      client.on('close', () => {
        conn?.lose();
        // Forget the connection this client belongs to (never a newer one): the next call redials.
        const mine = this.#conn;
        if (mine) void mine.then((c) => { if (c.client === client && this.#conn === mine) this.#conn = undefined; }, () => undefined);
        if (!settled) {
          settled = true;
          reject(connectError(new Error('connection closed during the handshake'), this.location, hostKeyProblem));
        }
      });
      client.connect({
        host: o.host,
        port: this.#port,
        username: o.username,
        ...(o.privateKey ? { privateKey: Buffer.from(o.privateKey) } : {}),
        ...(o.passphrase ? { passphrase: o.passphrase } : {}),
        ...(o.password ? { password: o.password } : {}),
        readyTimeout: o.readyTimeoutMs ?? 20_000,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          this.#verifyHostKey(key).then(
            () => verify(true),
            (e: LifeboatError) => {
              hostKeyProblem = e;
              verify(false);
            },
          );
        },
      });
    });
  }

  async #verifyHostKey(key: Buffer): Promise<void> {
    const o = this.#opts;
    const text = await readFile(o.knownHostsFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw new LifeboatError('BACKEND_HOST_KEY_REJECTED', `cannot read the known_hosts file ${o.knownHostsFile}: ${e.code}; check LIFEBOAT_SFTP_KNOWN_HOSTS`);
    });
    const verdict = checkHostKey(text, o.host, this.#port, key);
    if (verdict === 'match') return;
    const fp = fingerprint(key);
    if (verdict === 'unknown' && o.acceptNewHostKey) {
      await mkdir(localDirname(o.knownHostsFile), { recursive: true, mode: 0o700 });
      await appendFile(o.knownHostsFile, knownHostsLine(o.host, this.#port, key), { mode: 0o600 });
      return;
    }
    if (verdict === 'unknown') {
      throw new LifeboatError('BACKEND_HOST_KEY_REJECTED', `the host key of ${this.location} (${fp}) is not in ${o.knownHostsFile}; compare the fingerprint with the server's and accept it once with LIFEBOAT_SFTP_ACCEPT_NEW_HOST_KEY=1 (or add it with ssh-keyscan)`);
    }
    throw new LifeboatError('BACKEND_HOST_KEY_REJECTED', `the host key of ${this.location} (${fp}) ${verdict === 'revoked' ? 'is revoked' : 'differs from the one'} in ${o.knownHostsFile}: someone may be intercepting the connection; if the server's key really changed, remove the old line from that file`);
  }
}

