import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemBackend, type Backend } from '../backend/index.js';
import { FILE_TYPES } from '../model/index.js';
import { seal } from '../crypto/index.js';
import { decodeLock, encodeLock, isStale, RepoLock, STALE_AFTER_MS, type LockInfo, type LockOwner, type LockStore } from './lock.js';
import { arbDamage, damage, initTestRepo, onlyThrowsCodes, rejectsCode, sha256, testEnv, throwsCode } from './repo-fixtures.test-util.js';
import type { Repository } from './repository.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const MIN = 60_000;
const T0 = new Date('2026-11-24T15:49:45.361Z');

const arbLock: fc.Arbitrary<LockInfo> = fc
  .record({
    time: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    exclusive: fc.boolean(),
    hostname: fc.string({ unit: 'grapheme', maxLength: 12 }),
    username: fc.string({ unit: 'grapheme', maxLength: 12 }),
    pid: fc.oneof(fc.nat({ max: 1 << 22 }), fc.nat()),
    uid: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
    gid: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  })
  .map((l) => ({ ...l }));

function owner(over: Partial<LockOwner> = {}): LockOwner {
  return { hostname: 'here', username: 'me', pid: 100, uid: 0, gid: 0, isProcessAlive: () => true, ...over };
}

function info(over: Partial<LockInfo> = {}): LockInfo {
  return { time: T0, exclusive: false, hostname: 'other', username: 'someone', pid: 4242, uid: 0, gid: 0, ...over };
}

describe('encodeLock / decodeLock', () => {
  test('round trip (fast-check)', () => {
    fc.assert(
      fc.property(arbLock, (l) => {
        assert.deepEqual(decodeLock(encodeLock(l)), l);
      }),
      { numRuns: 300 },
    );
  });

  test("restic's field names and order; uid and gid omitted when 0", () => {
    fc.assert(
      fc.property(arbLock, (l) => {
        const o = JSON.parse(dec(encodeLock(l))) as Record<string, unknown>;
        const keys = ['time', 'exclusive', 'hostname', 'username', 'pid'];
        if (l.uid !== 0) keys.push('uid');
        if (l.gid !== 0) keys.push('gid');
        assert.deepEqual(Object.keys(o), keys);
        assert.equal(o['time'], l.time.toISOString());
      }),
      { numRuns: 100 },
    );
    assert.equal(
      dec(encodeLock(info({ uid: 1000, gid: 1001, exclusive: true }))),
      '{"time":"2026-11-24T15:49:45.361Z","exclusive":true,"hostname":"other","username":"someone","pid":4242,"uid":1000,"gid":1001}\n',
    );
  });

  test('a real restic lock (format notes §9) decodes; nanoseconds are cut to milliseconds', () => {
    const l = decodeLock(enc('{"time":"2026-11-24T15:49:45.361531683Z","exclusive":false,"hostname":"vm","username":"root","pid":12498}'));
    assert.deepEqual(l, { time: T0, exclusive: false, hostname: 'vm', username: 'root', pid: 12498, uid: 0, gid: 0 });
  });

  test('a lock written with a local offset decodes to the same instant', () => {
    assert.equal(decodeLock(enc('{"time":"2026-11-24T21:19:45.361+05:30","exclusive":true,"hostname":"h","username":"u","pid":1}')).time.getTime(), T0.getTime());
  });

  const bad: [string, string][] = [
    ['not JSON', 'lock'],
    ['an array', '[]'],
    ['time missing', '{"exclusive":false,"pid":1}'],
    ['time not a time', '{"time":"yesterday","exclusive":false,"pid":1}'],
    ['time a number', '{"time":5,"exclusive":false,"pid":1}'],
    ['exclusive missing', '{"time":"2026-11-24T15:49:45Z","pid":1}'],
    ['exclusive a string', '{"time":"2026-11-24T15:49:45Z","exclusive":"false","pid":1}'],
    ['hostname a number', '{"time":"2026-11-24T15:49:45Z","exclusive":false,"hostname":1,"pid":1}'],
    ['pid negative', '{"time":"2026-11-24T15:49:45Z","exclusive":false,"pid":-1}'],
    ['uid fractional', '{"time":"2026-11-24T15:49:45Z","exclusive":false,"pid":1,"uid":0.5}'],
  ];
  for (const [name, text] of bad) {
    test(`invalid lock: ${name} → INVALID_DATA`, () => {
      throwsCode(() => decodeLock(enc(text)), 'INVALID_DATA');
    });
  }

  test('damaged locks decode or fail with INVALID_DATA, never another exception', () => {
    fc.assert(
      fc.property(arbLock, arbDamage, (l, edits) => {
        onlyThrowsCodes(() => decodeLock(damage(encodeLock(l), edits)), ['INVALID_DATA']);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isStale', () => {
  test('the 30-minute rule, with an injected clock', () => {
    const o = owner();
    const l = info({ time: T0 });
    assert.equal(STALE_AFTER_MS, 30 * MIN);
    assert.equal(isStale(l, o, T0), false);
    assert.equal(isStale(l, o, new Date(T0.getTime() + 29 * MIN)), false);
    assert.equal(isStale(l, o, new Date(T0.getTime() + 30 * MIN)), false, 'exactly 30 minutes is not yet stale');
    assert.equal(isStale(l, o, new Date(T0.getTime() + 30 * MIN + 1)), true);
    assert.equal(isStale(l, o, new Date(T0.getTime() + 24 * 60 * MIN)), true);
    assert.equal(isStale(l, o, new Date(T0.getTime() - 60 * MIN)), false, 'a lock from the future is not stale');
  });

  test('same host: stale when its PID is dead, fresh when alive', () => {
    const asked: number[] = [];
    const dead = owner({ hostname: 'other', isProcessAlive: (pid) => (asked.push(pid), false) });
    assert.equal(isStale(info({ hostname: 'other', pid: 4242 }), dead, T0), true);
    assert.deepEqual(asked, [4242]);
    assert.equal(isStale(info({ hostname: 'other' }), owner({ hostname: 'other' }), T0), false);
  });

  test('other host: its PID is never checked', () => {
    let asked = false;
    const o = owner({ hostname: 'here', isProcessAlive: () => ((asked = true), false) });
    assert.equal(isStale(info({ hostname: 'elsewhere' }), o, T0), false);
    assert.equal(asked, false);
  });
});

/** A repository on a MemBackend with a settable clock, and helpers to plant foreign locks. */
async function lockFixture(sleep?: (ms: number) => Promise<void>) {
  let now = T0;
  const dead = new Set<number>();
  const env = testEnv({ now: () => now, hostname: 'here', pid: 100, isProcessAlive: (pid) => !dead.has(pid), ...(sleep ? { sleep } : {}) });
  const backend = new MemBackend();
  const repo = await initTestRepo(backend, env);
  const store = repo.lockStore();
  const opts = (exclusive: boolean, over: object = {}) => ({ exclusive, owner: env.owner, clock: env.clock, settleMs: 0, ...over });
  return {
    repo,
    backend,
    store,
    opts,
    dead,
    setNow: (d: Date) => (now = d),
    /** Writes a lock file as another process would. */
    plant: (l: Partial<LockInfo>) => repo.saveUnpacked('lock', encodeLock(info(l))),
    locks: () => repo.listIds('lock'),
  };
}

async function releaseAll(...locks: RepoLock[]): Promise<void> {
  for (const l of locks) await l.release();
}

describe('RepoLock against a repository', () => {
  test('shared + shared: both held at once, two lock files', async () => {
    const f = await lockFixture();
    const a = await RepoLock.acquire(f.store, f.opts(false));
    const b = await RepoLock.acquire(f.store, f.opts(false));
    assert.deepEqual((await f.locks()).sort(), [a.id, b.id].sort());
    const l = decodeLock(await f.repo.loadUnpacked('lock', a.id));
    assert.deepEqual(l, { time: T0, exclusive: false, hostname: 'here', username: 'test', pid: 100, uid: 0, gid: 0 });
    await releaseAll(a, b);
    assert.deepEqual(await f.locks(), []);
  });

  test('an exclusive lock blocks shared, and shared blocks exclusive, with REPO_LOCKED naming host, PID and time', async () => {
    const f = await lockFixture();
    const ex = await f.plant({ exclusive: true, hostname: 'box-a', pid: 777, time: T0 });
    const e1 = await rejectsCode(RepoLock.acquire(f.store, f.opts(false)), 'REPO_LOCKED');
    assert.match(e1.message, /box-a/);
    assert.match(e1.message, /\b777\b/);
    assert.ok(e1.message.includes(T0.toISOString()), e1.message);
    assert.match(e1.message, /exclusive/);
    assert.equal(e1.data['lockId'], ex);
    await rejectsCode(RepoLock.acquire(f.store, f.opts(true)), 'REPO_LOCKED');
    assert.deepEqual(await f.locks(), [ex], 'failed attempts leave no lock file behind');

    await f.repo.backend.remove({ type: 'lock', name: ex });
    const sh = await f.plant({ exclusive: false, hostname: 'box-b', pid: 888 });
    const e2 = await rejectsCode(RepoLock.acquire(f.store, f.opts(true)), 'REPO_LOCKED');
    assert.match(e2.message, /box-b/);
    assert.match(e2.message, /\b888\b/);
    assert.ok(e2.message.includes(T0.toISOString()));
    assert.deepEqual(await f.locks(), [sh]);
    const ok = await RepoLock.acquire(f.store, f.opts(false));
    await ok.release();
  });

  test('exclusive + exclusive conflict, also with our own earlier lock', async () => {
    const f = await lockFixture();
    const a = await RepoLock.acquire(f.store, f.opts(true));
    await rejectsCode(RepoLock.acquire(f.store, f.opts(true)), 'REPO_LOCKED');
    await rejectsCode(RepoLock.acquire(f.store, f.opts(false)), 'REPO_LOCKED');
    await a.release();
    const b = await RepoLock.acquire(f.store, f.opts(true));
    await b.release();
  });

  test('stale locks are ignored: older than 30 minutes, or same host with a dead PID', async () => {
    const f = await lockFixture();
    await f.plant({ exclusive: true, hostname: 'far', time: new Date(T0.getTime() - 31 * MIN) });
    f.dead.add(555);
    await f.plant({ exclusive: true, hostname: 'here', pid: 555 });
    const a = await RepoLock.acquire(f.store, f.opts(true));
    await a.release();
    // Stale locks are not removed by acquiring (that is unlock's job).
    assert.equal((await f.locks()).length, 2);
    // But a fresh lock on another host with a "dead" PID is not stale.
    f.dead.add(4242);
    await f.plant({ exclusive: true, hostname: 'far', pid: 4242 });
    await rejectsCode(RepoLock.acquire(f.store, f.opts(false)), 'REPO_LOCKED');
  });

  test('lock files that cannot be read are ignored', async () => {
    const f = await lockFixture();
    const garbage = seal(f.repo.key, enc('not a lock'));
    await f.backend.save({ type: 'lock', name: sha256(garbage) }, garbage);
    const foreignKey = Uint8Array.from({ length: 80 }, (_, i) => i + 1);
    await f.backend.save({ type: 'lock', name: sha256(foreignKey) }, foreignKey);
    const a = await RepoLock.acquire(f.store, f.opts(true));
    await a.release();
  });

  test('a conflicting lock written during the settle wait makes acquire fail and remove its own lock', async () => {
    const f = await lockFixture();
    let other = '';
    let slept = -1;
    const sleep = async (ms: number) => {
      slept = ms;
      other = await f.plant({ exclusive: true, hostname: 'racer', pid: 9 });
    };
    const e = await rejectsCode(RepoLock.acquire(f.store, f.opts(false, { settleMs: 123, sleep })), 'REPO_LOCKED');
    assert.equal(slept, 123);
    assert.match(e.message, /racer/);
    assert.deepEqual(await f.locks(), [other]);
  });

  test('work given to acquire runs during the settle wait, and a lock that arrives meanwhile still fails the call', async () => {
    const f = await lockFixture();
    const events: string[] = [];
    const sleep = async (ms: number) => {
      events.push(`sleep ${ms}`);
      await new Promise((r) => setTimeout(r, 20));
      events.push('woke');
    };
    const a = await RepoLock.acquire(f.store, f.opts(false, { settleMs: 50, sleep }), async () => {
      events.push('meanwhile');
    });
    // Both started before the wait ended: the work did not wait for the settle (it may even
    // start before our lock file is written: reading is safe after the first look).
    assert.deepEqual(events.slice(0, 2).sort(), ['meanwhile', 'sleep 50']);
    assert.equal(events[2], 'woke');
    await a.release();

    let other = '';
    const racing = async () => {
      other = await f.plant({ exclusive: true, hostname: 'racer', pid: 9 });
    };
    const e = await rejectsCode(RepoLock.acquire(f.store, f.opts(false, { settleMs: 1, sleep: async () => {} }), racing), 'REPO_LOCKED');
    assert.match(e.message, /racer/);
    assert.deepEqual(await f.locks(), [other]);
  });

  test('a failure of the work given to acquire removes the lock and is what the call throws', async () => {
    const f = await lockFixture();
    await assert.rejects(
      RepoLock.acquire(f.store, f.opts(false), async () => {
        throw new Error('index unreadable');
      }),
      /index unreadable/,
    );
    assert.deepEqual(await f.locks(), []);
  });

  test('a lock file that cannot be written fails the call with that error, also after the work given to acquire began', async () => {
    const f = await lockFixture();
    let ran = false;
    const failing: LockStore = { ...f.store, saveLock: async () => { throw new Error('disk full'); } };
    await assert.rejects(RepoLock.acquire(failing, f.opts(false), async () => { ran = true; }), /disk full/);
    assert.equal(ran, true, 'reading began before the file was written');
    assert.deepEqual(await f.locks(), []);
  });

  test('release removes the file; releasing twice is harmless', async () => {
    const f = await lockFixture();
    const a = await RepoLock.acquire(f.store, f.opts(true));
    assert.deepEqual(await f.locks(), [a.id]);
    await a.release();
    assert.deepEqual(await f.locks(), []);
    await a.release();
  });

  test('refresh writes a new file with the new time first, then removes the old one', async () => {
    const f = await lockFixture();
    const order: string[] = [];
    const spy: LockStore = {
      ...f.store,
      saveLock: async (j) => {
        const id = await f.store.saveLock(j);
        order.push(`save ${id}`);
        return id;
      },
      removeLock: async (id) => {
        order.push(`remove ${id}`);
        return f.store.removeLock(id);
      },
    };
    const other = await RepoLock.acquire(f.store, f.opts(false)); // a second holder, untouched by the refresh
    const a = await RepoLock.acquire(spy, f.opts(false));
    const old = a.id;
    order.length = 0;
    const later = new Date(T0.getTime() + 5 * MIN);
    f.setNow(later);
    await a.refresh();
    assert.notEqual(a.id, old);
    assert.deepEqual(order, [`save ${a.id}`, `remove ${old}`], 'the new lock exists before the old one goes');
    assert.deepEqual((await f.locks()).sort(), [other.id, a.id].sort());
    const l = decodeLock(await f.repo.loadUnpacked('lock', a.id));
    assert.equal(l.time.getTime(), later.getTime());
    assert.equal(l.exclusive, false);
    // a refreshed lock is released under its new name
    await releaseAll(a, other);
    assert.deepEqual(await f.locks(), []);
  });

  test('a refreshed exclusive lock still blocks others, and is not stale 40 minutes after it was first taken', async () => {
    const f = await lockFixture();
    const a = await RepoLock.acquire(f.store, f.opts(true));
    f.setNow(new Date(T0.getTime() + 25 * MIN));
    await a.refresh();
    f.setNow(new Date(T0.getTime() + 40 * MIN));
    await rejectsCode(RepoLock.acquire(f.store, f.opts(false)), 'REPO_LOCKED');
    await a.release();
  });

  test('Repository.withLock releases the lock whatever happens', async () => {
    const f = await lockFixture();
    const r: Repository = f.repo;
    const v = await r.withLock(false, async () => {
      assert.equal((await f.locks()).length, 1);
      return 42;
    });
    assert.equal(v, 42);
    assert.deepEqual(await f.locks(), []);
    await assert.rejects(r.withLock(true, async () => { throw new Error('boom'); }), /boom/);
    assert.deepEqual(await f.locks(), []);
  });

  test('withLockEarly: fn runs while the lock settles, and its writes reach the repository only once the lock is confirmed', async () => {
    let wake!: () => void;
    const slept: number[] = [];
    const f = await lockFixture((ms) => {
      slept.push(ms);
      return new Promise<void>((r) => (wake = r));
    });
    const events: string[] = [];
    const run = f.repo.withLockEarly(false, async (view, signal) => {
      events.push('fn');
      const saved = view.saveUnpacked('snapshot', enc('{}'));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(await f.repo.listIds('snapshot'), [], 'held while the lock settles');
      assert.equal((await f.locks()).length, 1, 'our lock file is written while fn runs');
      events.push('wake');
      wake();
      const id = await saved;
      assert.equal(signal.aborted, false);
      assert.deepEqual(await f.repo.listIds('snapshot'), [id]);
      return id;
    });
    const id = await run;
    assert.deepEqual(events, ['fn', 'wake']);
    assert.deepEqual(slept, [200]);
    assert.deepEqual(await f.repo.listIds('snapshot'), [id]);
    assert.deepEqual(await f.locks(), [], 'released');
  });

  test('withLockEarly: a conflicting lock written during the settle fails the call and every write of fn; the repository stays byte for byte as it was', async () => {
    let other = '';
    let f!: Awaited<ReturnType<typeof lockFixture>>;
    let fnStarted!: () => void;
    const started = new Promise<void>((r) => (fnStarted = r));
    f = await lockFixture(async () => {
      await started;
      other = await f.plant({ exclusive: true, hostname: 'pruner', pid: 9 });
    });
    await f.repo.saveUnpacked('snapshot', enc('{"old":true}'));
    const before = await repoFiles(f.backend);
    let writeError: unknown;
    let abortedWith: unknown;
    const e = await rejectsCode(
      f.repo.withLockEarly(false, async (view, signal) => {
        const write = view.saveUnpacked('snapshot', enc('{"new":true}'));
        const removal = view.backend.remove({ type: 'snapshot', name: [...before.keys()].find((k) => k.startsWith('snapshot/'))!.slice(9) });
        fnStarted();
        writeError = await write.then(() => undefined, (err: unknown) => err);
        await assert.rejects(removal, (err) => err === writeError);
        abortedWith = signal.reason;
        return 'done';
      }),
      'REPO_LOCKED',
    );
    assert.match(e.message, /pruner/);
    assert.equal(writeError, e, "fn's writes failed with the lock's error");
    assert.equal(abortedWith, e, 'and its signal aborted with it');
    const after = await repoFiles(f.backend);
    after.delete(`lock/${other}`);
    assert.deepEqual(after, before, 'nothing written, nothing removed; our lock file is gone');
  });

  test("withLockEarly: fn's own failure is what the call throws, after the lock settled; the lock is released", async () => {
    const f = await lockFixture();
    await assert.rejects(f.repo.withLockEarly(true, async () => { throw new Error('source gone'); }), /source gone/);
    assert.deepEqual(await f.locks(), []);
    const ex = await f.plant({ exclusive: true, hostname: 'box', pid: 3 });
    let ran = false;
    await rejectsCode(f.repo.withLockEarly(false, async () => { ran = true; }), 'REPO_LOCKED');
    assert.equal(ran, false, 'a lock seen at the first look stops the call before fn runs');
    assert.deepEqual(await f.locks(), [ex]);
  });
});

/** Every file of a repository by type/name, with its bytes as hex. */
async function repoFiles(b: Backend): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const type of FILE_TYPES) {
    for await (const f of b.list(type)) out.set(`${type}/${f.name}`, Buffer.from(await b.load({ type, name: f.name })).toString('hex'));
  }
  return new Map([...out].sort(([a], [b2]) => (a < b2 ? -1 : 1)));
}

