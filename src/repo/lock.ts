import { LifeboatError } from '../errors/index.js';
import type { Clock } from '../lib/index.js';
import type { Id } from '../model/index.js';
import { expectRecord, expectString, expectUint, parseJsonBytes } from './json-parse.js';

/** A lock file's content, restic's JSON. */
export interface LockInfo {
  readonly time: Date;
  readonly exclusive: boolean;
  readonly hostname: string;
  readonly username: string;
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** Who we are, and how to tell whether a process on this host is alive: injected by app/. */
export interface LockOwner {
  readonly hostname: string;
  readonly username: string;
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  isProcessAlive(pid: number): boolean;
}

/** The storage a lock needs; the repository provides it. */
export interface LockStore {
  listLocks(): Promise<Id[]>;
  loadLock(id: Id): Promise<Uint8Array>;
  saveLock(json: Uint8Array): Promise<Id>;
  removeLock(id: Id): Promise<void>;
}

export const STALE_AFTER_MS = 30 * 60 * 1000;
export const REFRESH_EVERY_MS = 5 * 60 * 1000;

export function encodeLock(l: LockInfo): Uint8Array {
  const ids = (l.uid ? `,"uid":${l.uid}` : '') + (l.gid ? `,"gid":${l.gid}` : '');
  const json = `{"time":${JSON.stringify(l.time.toISOString())},"exclusive":${l.exclusive},"hostname":${JSON.stringify(l.hostname)},"username":${JSON.stringify(l.username)},"pid":${l.pid}${ids}}\n`;
  return new TextEncoder().encode(json);
}

export function decodeLock(bytes: Uint8Array): LockInfo {
  const o = expectRecord(parseJsonBytes(bytes, 'lock'), 'lock');
  const time = new Date(expectString(o['time'], 'lock.time'));
  if (Number.isNaN(time.getTime())) throw new LifeboatError('INVALID_DATA', 'lock.time is not a valid time');
  if (typeof o['exclusive'] !== 'boolean') throw new LifeboatError('INVALID_DATA', 'lock.exclusive must be a boolean');
  return {
    time,
    exclusive: o['exclusive'],
    hostname: o['hostname'] === undefined ? '' : expectString(o['hostname'], 'lock.hostname'),
    username: o['username'] === undefined ? '' : expectString(o['username'], 'lock.username'),
    pid: expectUint(o['pid'] ?? 0, 'lock.pid'),
    uid: expectUint(o['uid'] ?? 0, 'lock.uid'),
    gid: expectUint(o['gid'] ?? 0, 'lock.gid'),
  };
}

/** Stale: not refreshed for 30 minutes, or held by a dead process on this host. */
export function isStale(l: LockInfo, owner: LockOwner, now: Date): boolean {
  if (now.getTime() - l.time.getTime() > STALE_AFTER_MS) return true;
  return l.hostname === owner.hostname && !owner.isProcessAlive(l.pid);
}

export function describeLock(id: Id, l: LockInfo): string {
  return `${l.exclusive ? 'exclusive' : 'shared'} lock ${id.slice(0, 8)} held by PID ${l.pid} on ${l.hostname || '?'} (user ${l.username || '?'}) since ${l.time.toISOString()}`;
}

export interface LockOptions {
  readonly exclusive: boolean;
  readonly owner: LockOwner;
  readonly clock: Clock;
  /** restic waits 200 ms and looks again, to catch a lock written at the same moment. */
  readonly settleMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Our lock file, being written after the first look (see `RepoLock.claim`). */
export interface ClaimedLock {
  /**
   * Waits for our file and the settle time after it (running `meanwhile` meanwhile) and looks
   * again: resolves to the held lock, or removes our file and throws REPO_LOCKED (or what
   * writing it or `meanwhile` threw).
   */
  confirm(meanwhile?: () => Promise<void>): Promise<RepoLock>;
}

/**
 * A held lock. Refreshes itself every 5 minutes (a new file, then the old one removed) so
 * other clients never see it as stale while we work.
 */
export class RepoLock {
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: LockStore,
    private readonly opts: LockOptions,
    private currentId: Id,
  ) {}

  /**
   * `meanwhile` runs during the settle wait: reading that must not be wasted time but whose
   * result is only used once the lock holds. It is safe because a holder already present was
   * seen by the first look, and one that arrives later is seen by the second, which fails
   * the call (and the caller drops what `meanwhile` read).
   */
  static async acquire(store: LockStore, opts: LockOptions, meanwhile?: () => Promise<void>): Promise<RepoLock> {
    return (await RepoLock.claim(store, opts)).confirm(meanwhile);
  }

  /**
   * The first half of `acquire`: looks for conflicting locks and starts writing ours. The
   * lock holds only once `confirm` has resolved; until then nothing may be written to the
   * repository. Reading may start at once: the second look, 200 ms after our file is written,
   * sees any holder that arrived after the first (and then confirm fails).
   */
  static async claim(store: LockStore, opts: LockOptions): Promise<ClaimedLock> {
    await RepoLock.checkConflicts(store, opts, undefined);
    const saving = store.saveLock(encodeLock(lockInfoFor(opts)));
    saving.catch(() => undefined); // confirm reports it
    return {
      confirm: async (meanwhile) => {
        const work = meanwhile?.();
        work?.catch(() => undefined); // awaited below, once the file is written
        let id: Id | undefined;
        try {
          id = await saving;
          await Promise.all([(opts.sleep ?? defaultSleep)(opts.settleMs ?? 200), work]);
          await RepoLock.checkConflicts(store, opts, id);
        } catch (e) {
          if (id !== undefined) await store.removeLock(id).catch(() => undefined);
          throw e;
        }
        const lock = new RepoLock(store, opts, id);
        lock.timer = setInterval(() => {
          lock.refreshing = lock.refresh().catch(() => undefined);
        }, REFRESH_EVERY_MS);
        lock.timer.unref();
        return lock;
      },
    };
  }

  get id(): Id {
    return this.currentId;
  }

  async refresh(): Promise<void> {
    const old = this.currentId;
    this.currentId = await this.store.saveLock(encodeLock(lockInfoFor(this.opts)));
    await this.store.removeLock(old).catch(() => undefined);
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
    await this.store.removeLock(this.currentId).catch(() => undefined);
  }

  private static async checkConflicts(store: LockStore, opts: LockOptions, own: Id | undefined): Promise<void> {
    const now = opts.clock.now();
    for (const id of await store.listLocks()) {
      if (id === own) continue;
      let info: LockInfo;
      try {
        info = decodeLock(await store.loadLock(id));
      } catch {
        continue; // restic ignores lock files it cannot read; so do we
      }
      if (isStale(info, opts.owner, now)) continue;
      if (opts.exclusive || info.exclusive) {
        throw new LifeboatError('REPO_LOCKED', `repository is already locked: ${describeLock(id, info)}; wait for it to finish, or run "lifeboat unlock" if that process is gone`, { data: { lockId: id } });
      }
    }
  }
}

function lockInfoFor(opts: LockOptions): LockInfo {
  const o = opts.owner;
  return { time: opts.clock.now(), exclusive: opts.exclusive, hostname: o.hostname, username: o.username, pid: o.pid, uid: o.uid, gid: o.gid };
}
