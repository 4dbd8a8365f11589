import { randomBytes } from 'node:crypto';
import { chmod, copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LifeboatError } from '../errors/index.js';
import { FILE_TYPES, isId, type FileType, type Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { fsError } from './fs-error.js';
import { dirOf, displayPath, filePath } from './layout.js';
import { checkRange } from './range.js';

// restic's modes: nobody else may read a repository, and files are never modified after writing.
const DIR_MODE = 0o700;
const FILE_MODE = 0o400;
const TEMP_MODE = 0o600;
/** How many files' sizes a listing asks for at once: enough to hide latency on network mounts. */
const STAT_BATCH = 32;
const SUBDIR = /^[0-9a-f]{2}$/;

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * A Backend over a directory, in restic's default layout and with restic's way of writing:
 * a temp file beside the target, fsync, rename, fsync of the directory. A crash at any point
 * leaves either no file or the whole file under its final name; leftover temp files are
 * ignored by `list` because their names are not IDs.
 */
export class LocalBackend implements Backend {
  readonly location: string;
  readonly #root: string;

  /** `dir` is the repository folder; resolve it before (this code never reads the working directory). */
  constructor(dir: string) {
    this.#root = dir;
    this.location = dir;
  }

  async save(h: Handle, data: Uint8Array): Promise<void> {
    await this.#place(h, async (tmp, dataSubdir) => {
      const fh = await this.#openTemp(tmp, dataSubdir);
      try {
        await fh.writeFile(data);
        await readOnlyAndSynced(fh);
      } finally {
        await fh.close();
      }
    });
  }

  /**
   * A hard link to `path` under the temp name when both are on one file system (no copy),
   * else a copy; then as `save`. `path` stays, so a retry can repeat this.
   */
  async saveFile(h: Handle, path: string): Promise<void> {
    await this.#place(h, async (tmp, dataSubdir) => {
      // #openTemp also creates a missing data/xx folder; the empty file it makes is replaced.
      await (await this.#openTemp(tmp, dataSubdir)).close();
      await unlink(tmp);
      try {
        await link(path, tmp);
      } catch (e) {
        if (errnoOf(e) !== 'EXDEV' && errnoOf(e) !== 'EPERM' && errnoOf(e) !== 'EMLINK') throw e;
        await copyFile(path, tmp);
      }
      const fh = await open(tmp, 'r');
      try {
        await readOnlyAndSynced(fh);
      } finally {
        await fh.close();
      }
    });
  }

  /** Writes a temp file beside the target (`write`), renames it into place, fsyncs the folder. */
  async #place(h: Handle, write: (tmp: string, dataSubdir: string | undefined) => Promise<void>): Promise<void> {
    const final = join(this.#root, filePath(h));
    const dir = dirname(final);
    const tmp = `${final}-tmp-${randomBytes(8).toString('hex')}`;
    try {
      await write(tmp, h.type === 'data' ? dir : undefined);
      await rename(tmp, final);
      // Without this the rename itself may be lost on power failure even though the data is on disk.
      await syncDir(dir);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw fsError(e, { op: 'save', what: displayPath(h), location: this.location });
    }
  }

  localFile(h: Handle): string {
    return join(this.#root, filePath(h));
  }

  async load(h: Handle, range?: ByteRange): Promise<Uint8Array> {
    const path = join(this.#root, filePath(h));
    if (range !== undefined) checkRange(h, range);
    try {
      if (range === undefined) return await readFile(path);
      const fh = await open(path, 'r');
      try {
        return await readRange(fh, h, range);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw fsError(e, { op: 'load', what: displayPath(h), location: this.location });
    }
  }

  async stat(h: Handle): Promise<FileInfo> {
    const path = join(this.#root, filePath(h));
    let size: number | undefined;
    try {
      size = await fileSize(path);
    } catch (e) {
      throw fsError(e, { op: 'stat', what: displayPath(h), location: this.location });
    }
    if (size === undefined) {
      throw new LifeboatError('BACKEND_NOT_FOUND', `${displayPath(h)} not found at ${this.location}; check the repository path, and if it is right run a check of the repository`, {
        data: { type: h.type, name: h.name },
      });
    }
    return { name: h.name, size };
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const dir = dirOf(type);
    try {
      if (type === 'config') {
        const size = await fileSize(join(this.#root, 'config'));
        if (size !== undefined) yield { name: '', size };
      } else if (type === 'data') {
        // Walk whatever subfolders exist: restic's init makes all 256, our writes only the used
        // ones. A pack is listed only under its own prefix, because only there can load find it.
        for (const sub of await namesIn(join(this.#root, dir))) {
          if (SUBDIR.test(sub)) yield* listFiles(join(this.#root, dir, sub), (name) => name.startsWith(sub));
        }
      } else {
        yield* listFiles(join(this.#root, dir), () => true);
      }
    } catch (e) {
      throw fsError(e, { op: 'list', what: `${dir}/`, location: this.location });
    }
  }

  async remove(h: Handle): Promise<void> {
    const path = join(this.#root, filePath(h));
    try {
      await unlink(path);
    } catch (e) {
      // POSIX unlinks a read-only file when its folder is writable; Windows refuses (EPERM)
      // until the file is writable again.
      if (errnoOf(e) === 'EPERM' && (await chmod(path, TEMP_MODE).then(() => unlink(path)).then(() => true, () => false))) return;
      throw fsError(e, { op: 'remove', what: displayPath(h), location: this.location });
    }
  }

  async create(): Promise<void> {
    try {
      if ((await fileSize(join(this.#root, 'config'))) !== undefined) {
        throw new LifeboatError('BACKEND_ALREADY_EXISTS', `a repository already exists at ${this.location} (it has a config file); use it, or choose another location`);
      }
      await mkdir(this.#root, { recursive: true, mode: DIR_MODE });
      // data/00..ff are left to save: nothing needs them in advance, and restic creates missing ones itself.
      for (const type of FILE_TYPES) {
        if (type !== 'config') await mkdir(join(this.#root, dirOf(type)), { recursive: true, mode: DIR_MODE });
      }
    } catch (e) {
      throw fsError(e, { op: 'create', what: 'the repository', location: this.location });
    }
  }

  async close(): Promise<void> {}

  /**
   * Only a missing `data/xx` subfolder is created here. The type folders and the repository
   * folder itself are not: a missing one usually means an unmounted disk, and creating it would
   * quietly put backups on the wrong file system.
   */
  async #openTemp(tmp: string, dataSubdir: string | undefined): Promise<FileHandle> {
    try {
      return await open(tmp, 'wx', TEMP_MODE);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT' || dataSubdir === undefined) throw e;
      await mkdir(dataSubdir, { mode: DIR_MODE }).catch((e2: unknown) => {
        if (errnoOf(e2) !== 'EEXIST') throw e2;
      });
      return await open(tmp, 'wx', TEMP_MODE);
    }
  }
}

/**
 * Made read-only before the file gets its final name, so the final file is never writable and
 * the fsync persists the mode too. chmod is best effort: some mounts (CIFS, some container
 * volumes) refuse it, and a writable file is still a correct file.
 */
async function readOnlyAndSynced(fh: FileHandle): Promise<void> {
  await fh.chmod(FILE_MODE).catch(() => undefined);
  await fh.sync();
}

/** Reads exactly the range at its offset, never the whole file: packs are read blob by blob. */
async function readRange(fh: FileHandle, h: Handle, range: ByteRange): Promise<Uint8Array> {
  const { size } = await fh.stat();
  checkRange(h, range, size);
  const buf = new Uint8Array(range.length);
  let done = 0;
  while (done < range.length) {
    const { bytesRead } = await fh.read(buf, done, range.length - done, range.offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  // The file shrank after the stat above: report it like any range past the end.
  if (done < range.length) checkRange(h, range, range.offset + done);
  return buf;
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    // Some file systems (and Windows) cannot open or fsync a directory; restic carries on there too.
    const errno = errnoOf(e);
    if (errno !== 'EINVAL' && errno !== 'ENOTSUP' && errno !== 'EISDIR' && errno !== 'EPERM') throw e;
  }
}

/** The size of a regular file, or `undefined` when there is none (missing, or a folder). */
async function fileSize(path: string): Promise<number | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : undefined;
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** Entry names of a folder; none when it is missing (an empty type folder is as good as none). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return [];
    throw e;
  }
}

async function* listFiles(dir: string, accept: (name: string) => boolean): AsyncIterable<FileInfo> {
  // Temp files (`<id>-tmp-<random>`) and anything foreign fail the ID test and are skipped.
  const names = (await namesIn(dir)).filter((n) => isId(n) && accept(n));
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const batch = names.slice(i, i + STAT_BATCH);
    const sizes = await Promise.all(batch.map((n) => fileSize(join(dir, n))));
    for (let j = 0; j < batch.length; j++) {
      const size = sizes[j];
      // undefined: removed since readdir, or not a file; either way not a file of the repository.
      if (size !== undefined) yield { name: batch[j]!, size };
    }
  }
}
