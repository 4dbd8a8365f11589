import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goTimeFromDate, type Snapshot } from '../model/index.js';
import type { Repository } from '../repo/index.js';
import { initTestRepo, rejectsCode } from '../repo/repo-fixtures.test-util.js';
import { findParent, findSnapshot, matchesFilter } from './snapshot-select.js';

const TREE = 'ab'.repeat(32);
const at = (hour: number): Date => new Date(Date.UTC(2026, 10, 24, hour));

function snap(hour: number, over: Partial<Snapshot> = {}): Snapshot {
  return { time: goTimeFromDate(at(hour)), tree: TREE, paths: ['/srv/app'], hostname: 'web1', ...over };
}

/** Saves snapshots (in the given order) and returns their IDs. */
async function save(repo: Repository, snaps: readonly Snapshot[]): Promise<string[]> {
  const ids: string[] = [];
  for (const s of snaps) ids.push(await repo.saveSnapshot(s));
  return ids;
}

/** The shortest prefix of `id` that no other ID shares. */
function uniquePrefix(id: string, all: readonly string[]): string {
  for (let n = 1; n <= 64; n++) {
    const p = id.slice(0, n);
    if (all.filter((x) => x.startsWith(p)).length === 1) return p;
  }
  return id;
}

describe('findSnapshot', () => {
  test("'latest' is the newest by time, not by save order", async () => {
    const repo = await initTestRepo();
    const ids = await save(repo, [snap(3), snap(9), snap(1), snap(5)]);
    const e = await findSnapshot(repo, 'latest');
    assert.equal(e.id, ids[1]);
    assert.equal(e.snapshot.time.unixNs, BigInt(at(9).getTime()) * 1_000_000n);
  });

  test("'latest' with a filter: host, tags, paths", async () => {
    const repo = await initTestRepo();
    const ids = await save(repo, [
      snap(1, { hostname: 'db1', tags: ['nightly'] }),
      snap(2, { hostname: 'web1', tags: ['nightly', 'pre-upgrade'] }),
      snap(3, { hostname: 'web1', paths: ['/srv/app', '/etc'] }),
      snap(4, { hostname: 'db1', paths: ['/var/lib/pg'] }),
    ]);
    assert.equal((await findSnapshot(repo, 'latest', { host: 'web1' })).id, ids[2]);
    assert.equal((await findSnapshot(repo, 'latest', { host: 'db1' })).id, ids[3]);
    assert.equal((await findSnapshot(repo, 'latest', { tags: ['nightly'] })).id, ids[1]);
    assert.equal((await findSnapshot(repo, 'latest', { tags: ['nightly', 'pre-upgrade'] })).id, ids[1]);
    assert.equal((await findSnapshot(repo, 'latest', { paths: ['/etc'] })).id, ids[2]);
    assert.equal((await findSnapshot(repo, 'latest', { host: 'db1', paths: ['/srv/app'] })).id, ids[0]);
    const e = await rejectsCode(findSnapshot(repo, 'latest', { host: 'nope', tags: ['x'] }), 'SNAPSHOT_NOT_FOUND');
    assert.match(e.message, /host nope/);
    assert.match(e.message, /tags x/);
  });

  test("'latest' in an empty repository → SNAPSHOT_NOT_FOUND", async () => {
    const repo = await initTestRepo();
    await rejectsCode(findSnapshot(repo, 'latest'), 'SNAPSHOT_NOT_FOUND');
  });

  test('full IDs and unique prefixes find their snapshot; an ambiguous prefix → SNAPSHOT_AMBIGUOUS', async () => {
    const repo = await initTestRepo();
    // 20 snapshots: at least two share their first hex digit (pigeonhole over 16 digits).
    const ids = await save(repo, Array.from({ length: 20 }, (_, i) => snap(i, { tags: [`n${i}`] })));
    for (const [i, id] of ids.entries()) {
      const full = await findSnapshot(repo, id);
      assert.equal(full.id, id);
      assert.deepEqual(full.snapshot.tags, [`n${i}`]);
      const prefix = uniquePrefix(id, ids);
      assert.equal((await findSnapshot(repo, prefix)).id, id, `prefix ${prefix}`);
    }
    const digit = [...'0123456789abcdef'].find((d) => ids.filter((id) => id.startsWith(d)).length >= 2)!;
    const e = await rejectsCode(findSnapshot(repo, digit), 'SNAPSHOT_AMBIGUOUS');
    assert.match(e.message, new RegExp(`matches ${ids.filter((id) => id.startsWith(digit)).length} snapshots`));
  });

  test('no snapshot with that ID or prefix → SNAPSHOT_NOT_FOUND', async () => {
    const repo = await initTestRepo();
    const [id] = await save(repo, [snap(1)]);
    const other = id!.startsWith('0') ? '1' : '0';
    await rejectsCode(findSnapshot(repo, other), 'SNAPSHOT_NOT_FOUND');
    await rejectsCode(findSnapshot(repo, other.repeat(64)), 'SNAPSHOT_NOT_FOUND');
    await rejectsCode(findSnapshot(repo, id + '0'), 'INVALID_ARGUMENT'); // 65 digits is no ID
  });

  test('a reference that is neither hex nor "latest" → INVALID_ARGUMENT', async () => {
    const repo = await initTestRepo();
    for (const ref of ['', 'Latest', 'ABC', 'xyz', '12 34', '../x']) await rejectsCode(findSnapshot(repo, ref), 'INVALID_ARGUMENT');
  });
});

describe('findParent', () => {
  test('the latest snapshot with the same host and the same set of paths', async () => {
    const repo = await initTestRepo();
    const ids = await save(repo, [
      snap(1, { paths: ['/srv/app', '/etc'] }),
      snap(2, { paths: ['/etc', '/srv/app'] }), // same set, other order: the parent
      snap(3, { paths: ['/srv/app'] }), // a subset
      snap(4, { hostname: 'web2', paths: ['/srv/app', '/etc'] }), // other host
      snap(5, { paths: ['/srv/app', '/etc', '/var'] }), // a superset
      snap(0, { paths: ['/etc', '/srv/app'] }), // older, saved last
    ]);
    const p = await findParent(repo, 'web1', ['/srv/app', '/etc']);
    assert.equal(p?.id, ids[1]);
    assert.equal((await findParent(repo, 'web1', ['/srv/app']))?.id, ids[2]);
    assert.equal((await findParent(repo, 'web2', ['/etc', '/srv/app']))?.id, ids[3]);
  });

  test('none matching → undefined', async () => {
    const repo = await initTestRepo();
    assert.equal(await findParent(repo, 'web1', ['/srv/app']), undefined);
    await save(repo, [snap(1, { hostname: 'web2' }), snap(2, { paths: ['/srv'] }), snap(3, { hostname: undefined })]);
    assert.equal(await findParent(repo, 'web1', ['/srv/app']), undefined);
    assert.equal(await findParent(repo, 'web1', ['/srv/app', '/srv']), undefined);
  });

  test('a snapshot without hostname is never the parent for a named host', async () => {
    const repo = await initTestRepo();
    const s: Snapshot = { time: goTimeFromDate(at(1)), tree: TREE, paths: ['/x'] };
    await save(repo, [s]);
    assert.equal(await findParent(repo, 'web1', ['/x']), undefined);
  });
});

describe('matchesFilter', () => {
  test('every given criterion must hold; empty criteria match everything', () => {
    const e = { id: 'a'.repeat(64), snapshot: snap(1, { tags: ['a', 'b'], paths: ['/p', '/q'] }) };
    assert.equal(matchesFilter(e, {}), true);
    assert.equal(matchesFilter(e, { tags: [], paths: [] }), true);
    assert.equal(matchesFilter(e, { host: 'web1', tags: ['b'], paths: ['/q'] }), true);
    assert.equal(matchesFilter(e, { host: 'web2' }), false);
    assert.equal(matchesFilter(e, { tags: ['a', 'c'] }), false);
    assert.equal(matchesFilter(e, { paths: ['/p', '/r'] }), false);
    assert.equal(matchesFilter({ id: e.id, snapshot: snap(1) }, { tags: ['a'] }), false);
  });
});
