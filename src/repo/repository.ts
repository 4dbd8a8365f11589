import { createHash } from 'node:crypto';
import type { Backend } from '../backend/index.js';
// The wrapper itself, not the backend barrel (which loads every backend).
import { writeGate } from './write-gate.js';
import { createKeyFile, newMasterKey, open, openKeyFile, seal, type MasterKey, type ScryptParams } from '../crypto/index.js';
import { LifeboatError, isLifeboatError } from '../errors/index.js';
import type { Clock } from '../lib/index.js';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../model/index.js';
import type { BlobType, FileType, Id } from '../model/index.js';
import { openBlob } from './blob-codec.js';
import { decodeRepoConfig, encodeRepoConfig, newRepoConfig, type RepoConfig } from './config.js';
import { decodeIndexInto } from './index-file.js';
import { RepoLock, type LockOptions, type LockOwner, type LockStore } from './lock.js';
import { MasterIndex } from './master-index.js';
import { PackCache } from './pack-cache.js';
import { decodeUnpacked, encodeUnpacked } from './unpacked-file.js';
import { mapConcurrent } from '../lib/map-concurrent.js';

/** Tree packs up to this size are read whole and cached (see PackCache). */
const TREE_PACK_LIMIT = 32 * 1024 * 1024;

/** restic tries at most this many key files before giving up. */
const MAX_KEYS_TRIED = 20;

export interface RepoEnv {
  readonly clock: Clock;
  readonly owner: LockOwner;
  /** How the lock's settle wait sleeps (tests hold it); setTimeout when absent. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What a repository and its views (see `withLockEarly`) share: the index and the tree cache. */
interface SharedState {
  readonly index: MasterIndex;
  readonly treePacks: PackCache;
  indexLoaded: boolean;
}

export interface InitOptions {
  readonly kdf: ScryptParams;
  /** Use this master key and config instead of new ones (a mirror of another repository). */
  readonly masterKey?: MasterKey;
  readonly config?: RepoConfig;
}

export interface SnapshotEntry {
  readonly id: Id;
  readonly snapshot: Snapshot;
}

/**
 * An open repository, for reading. Writing happens in `RepoWriter` (see repo-writer.ts),
 * which flushes packs and index before a snapshot is saved.
 */
export class Repository {
  readonly index: MasterIndex;
  private readonly treePacks: PackCache;

  private constructor(
    readonly backend: Backend,
    readonly key: MasterKey,
    readonly config: RepoConfig,
    readonly keyId: Id,
    readonly env: RepoEnv,
    private readonly shared: SharedState = { index: new MasterIndex(), treePacks: new PackCache(64 * 1024 * 1024), indexLoaded: false },
  ) {
    this.index = shared.index;
    this.treePacks = shared.treePacks;
  }

  static async init(backend: Backend, password: Uint8Array, env: RepoEnv, opts: InitOptions): Promise<Repository> {
    const exists = await backend.stat({ type: 'config', name: '' }).then(() => true, (e) => {
      if (isLifeboatError(e, 'BACKEND_NOT_FOUND')) return false;
      throw e;
    });
    if (exists) throw new LifeboatError('REPO_ALREADY_EXISTS', `a repository already exists at ${backend.location}; use it, or choose an empty location`);
    await backend.create();
    const key = opts.masterKey ?? newMasterKey();
    const config = opts.config ?? newRepoConfig();
    const keyId = await addKeyFile(backend, key, password, env, opts.kdf);
    // The config goes last: a repository without config is not a repository yet, so an
    // interrupted init can simply be run again.
    await backend.save({ type: 'config', name: '' }, seal(key, encodeRepoConfig(config)));
    return new Repository(backend, key, config, keyId, env);
  }

  static async open(backend: Backend, password: Uint8Array, env: RepoEnv, opts: { keyHint?: Id } = {}): Promise<Repository> {
    let configSealed: Uint8Array;
    try {
      configSealed = await backend.load({ type: 'config', name: '' });
    } catch (e) {
      if (isLifeboatError(e, 'BACKEND_NOT_FOUND')) {
        throw new LifeboatError('REPO_NOT_FOUND', `there is no repository at ${backend.location}; create one with "lifeboat init", or check the repository location`, { cause: e });
      }
      throw e;
    }
    const keyIds: Id[] = [];
    for await (const f of backend.list('key')) keyIds.push(f.name);
    if (opts.keyHint && keyIds.includes(opts.keyHint)) keyIds.unshift(opts.keyHint);
    let configError: unknown;
    for (const keyId of keyIds.slice(0, MAX_KEYS_TRIED)) {
      let key: MasterKey;
      try {
        key = await openKeyFile(await backend.load({ type: 'key', name: keyId }), password);
      } catch (e) {
        if (isLifeboatError(e, 'CIPHERTEXT_VERIFICATION_FAILED') || isLifeboatError(e, 'INVALID_DATA')) continue;
        throw e;
      }
      try {
        return new Repository(backend, key, decodeRepoConfig(open(key, configSealed)), keyId, env);
      } catch (e) {
        // A key file left by an interrupted init wraps another master key: try the next one.
        configError = e;
      }
    }
    if (configError) {
      throw new LifeboatError('REPO_CORRUPT', `the repository config at ${backend.location} cannot be read: ${(configError as Error).message}`, { cause: configError });
    }
    throw new LifeboatError('REPO_WRONG_PASSWORD', `wrong password for the repository at ${backend.location}, or no key file matches it; check the password file or LIFEBOAT_PASSWORD`);
  }

  /** Writes a new key file wrapping this repository's master key. */
  addKey(password: Uint8Array, kdf: ScryptParams): Promise<Id> {
    return addKeyFile(this.backend, this.key, password, this.env, kdf);
  }

  /** Loads an encrypted, unpacked file (index, snapshot, lock), checking its name is its hash. */
  async loadUnpacked(type: 'index' | 'snapshot' | 'lock', id: Id): Promise<Uint8Array> {
    const bytes = await this.backend.load({ type, name: id });
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== id) {
      throw new LifeboatError('HASH_MISMATCH', `${type} ${id.slice(0, 8)}: invalid data returned (content hashes to ${actual.slice(0, 8)})`, { data: { type, id } });
    }
    return decodeUnpacked(open(this.key, bytes));
  }

  async saveUnpacked(type: 'index' | 'snapshot' | 'lock', json: Uint8Array): Promise<Id> {
    const bytes = seal(this.key, encodeUnpacked(json, this.config.version));
    const id = createHash('sha256').update(bytes).digest('hex');
    await this.backend.save({ type, name: id }, bytes);
    return id;
  }

  async listIds(type: FileType): Promise<Id[]> {
    const ids: Id[] = [];
    for await (const f of this.backend.list(type)) ids.push(f.name);
    return ids;
  }

  /** Loads every index file (once). */
  async loadIndex(): Promise<void> {
    if (this.shared.indexLoaded) return;
    const ids = await this.listIds('index');
    // Two at a time: decoding is synchronous on this thread anyway, and every file being decoded
    // holds its whole parsed JSON until its blobs are in the compact index. A broken file fails
    // the load (the index may then hold part of it, so indexLoaded stays false).
    await mapConcurrent(ids, 2, async (id) => {
      decodeIndexInto(await this.loadUnpacked('index', id), this.index);
    });
    this.shared.indexLoaded = true;
  }

  /** Loads a blob through the index, trying every pack that holds it. */
  async loadBlob(type: BlobType, id: Id): Promise<Uint8Array> {
    const locations = this.index.lookupAll(id).filter((l) => l.type === type);
    if (locations.length === 0) throw new LifeboatError('BLOB_NOT_FOUND', `${type} blob ${id.slice(0, 8)} is not in the index; run "lifeboat check"`, { data: { blobId: id } });
    let lastError: unknown;
    for (const l of locations) {
      try {
        const h = { type: 'data' as const, name: l.packId };
        const sealed =
          type === 'tree' && l.offset + l.length <= TREE_PACK_LIMIT
            ? (await this.treePacks.get(l.packId, () => this.backend.load(h))).subarray(l.offset, l.offset + l.length)
            : await this.backend.load(h, { offset: l.offset, length: l.length });
        return openBlob(this.key, id, sealed, l.uncompressedLength);
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }

  async loadSnapshot(id: Id): Promise<Snapshot> {
    return decodeSnapshot(await this.loadUnpacked('snapshot', id));
  }

  async saveSnapshot(s: Snapshot): Promise<Id> {
    return this.saveUnpacked('snapshot', encodeSnapshot(s));
  }

  /** Every snapshot, oldest first. A snapshot that cannot be loaded fails the call, as in restic. */
  async listSnapshots(): Promise<SnapshotEntry[]> {
    const ids = await this.listIds('snapshot');
    const entries = await mapConcurrent(ids, 8, async (id) => ({ id, snapshot: await this.loadSnapshot(id) }));
    return entries.sort((a, b) => compareSnapshotTime(a.snapshot, b.snapshot));
  }

  lockStore(): LockStore {
    return {
      listLocks: () => this.listIds('lock'),
      loadLock: (id) => this.loadUnpacked('lock', id),
      saveLock: (json) => this.saveUnpacked('lock', json),
      removeLock: (id) => this.backend.remove({ type: 'lock', name: id }),
    };
  }

  /**
   * Runs `fn` holding a shared or exclusive lock, released whatever happens. While the lock
   * settles (see RepoLock.acquire), the index is loaded with `index: true`, and `meanwhile`
   * runs: reading only, whose result `fn` uses.
   */
  async withLock<T>(exclusive: boolean, fn: () => Promise<T>, opts: { readonly index?: boolean; readonly meanwhile?: () => Promise<void> } = {}): Promise<T> {
    const prepare = async () => {
      await Promise.all([opts.index ? this.loadIndex() : undefined, opts.meanwhile?.()]);
    };
    const lock = await RepoLock.acquire(this.lockStore(), this.lockOptions(exclusive), prepare);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Like `withLock`, but `fn` starts as soon as our lock file is written, while the lock
   * settles, instead of 200 ms later. It gets a view of this repository (same key, index and
   * caches) whose writes are held until the lock is confirmed (see writeGate), so nothing it
   * does reaches the repository before then. If the lock is not confirmed, its held and later
   * writes fail, `signal` aborts, and once `fn` has finished the call throws the lock's error:
   * the repository is as it was, but for what `fn` left in temp files of its own.
   */
  async withLockEarly<T>(exclusive: boolean, fn: (repo: Repository, signal: AbortSignal) => Promise<T>): Promise<T> {
    const claimed = await RepoLock.claim(this.lockStore(), this.lockOptions(exclusive));
    const gate = writeGate(this.backend);
    const abort = new AbortController();
    const confirmed = claimed.confirm().then(
      (lock) => {
        gate.open();
        return lock;
      },
      (e: unknown) => {
        gate.shut(e);
        abort.abort(e);
        throw e;
      },
    );
    const view = new Repository(gate.backend, this.key, this.config, this.keyId, this.env, this.shared);
    const [lock, result] = await Promise.allSettled([confirmed, fn(view, abort.signal)]);
    // A lock that did not hold is the error, whatever fn made of its failed writes.
    if (lock.status === 'rejected') throw lock.reason;
    try {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    } finally {
      await lock.value.release();
    }
  }

  private lockOptions(exclusive: boolean): LockOptions {
    return { exclusive, owner: this.env.owner, clock: this.env.clock, ...(this.env.sleep ? { sleep: this.env.sleep } : {}) };
  }
}

async function addKeyFile(backend: Backend, key: MasterKey, password: Uint8Array, env: RepoEnv, kdf: ScryptParams): Promise<Id> {
  const bytes = await createKeyFile({
    password,
    masterKey: key,
    params: kdf,
    created: env.clock.now().toISOString(),
    username: env.owner.username,
    hostname: env.owner.hostname,
  });
  const id = createHash('sha256').update(bytes).digest('hex');
  await backend.save({ type: 'key', name: id }, bytes);
  return id;
}

function compareSnapshotTime(a: Snapshot, b: Snapshot): number {
  const ta = a.time.unixNs;
  const tb = b.time.unixNs;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}
