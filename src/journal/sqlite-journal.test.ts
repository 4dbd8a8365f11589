import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openJournal, JOURNAL_SCHEMA_VERSION } from './sqlite-journal.js';
import type { RunRecord } from './run-record.js';

const clock = { now: () => new Date('2026-12-01T08:00:00Z') };
function tempDir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'lb-proof-journal-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
const run = (over: Partial<RunRecord> = {}): RunRecord => ({ kind: 'drill', app: 'portal', startedAt: new Date('2026-12-01T07:00:00Z'), durationMs: 1234, ok: true, summary: 'drill passed', ...over });

test('records runs and reads them back newest first, filtered by app, kind and location', (t) => {
  const path = join(tempDir(t), 'state', 'journal.sqlite');
  const j = openJournal(path, clock);
  assert.equal(j.problem, undefined);
  j.record(run({ kind: 'backup', location: 'local', snapshot: 'abc', details: { files: 3 } }));
  j.record(run({ kind: 'backup', location: 'offsite', ok: false, summary: 'failed' }));
  j.record(run({ app: 'shop' }));
  j.close();
  const again = openJournal(path, clock);
  const all = again.runs();
  assert.deepEqual(all.map((r) => r.id), [3, 2, 1]);
  assert.deepEqual(again.runs({ app: 'portal', kind: 'backup' }).map((r) => r.location), ['offsite', 'local']);
  const first = again.runs({ location: 'local' })[0]!;
  assert.deepEqual(first.details, { files: 3 });
  assert.equal(first.snapshot, 'abc');
  assert.equal(first.startedAt.toISOString(), '2026-12-01T07:00:00.000Z');
  assert.equal(again.runs({ app: 'portal', kind: 'drill', limit: 1 }).length, 0);
  assert.equal(again.runs({ limit: 2 }).length, 2);
  again.close();
});

test('a damaged journal is moved aside and a new one started; nothing throws', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'journal.sqlite');
  writeFileSync(path, 'this is not a database, it was overwritten by accident'.repeat(100));
  const j = openJournal(path, clock);
  assert.equal(j.problem, undefined);
  assert.match(j.notice ?? '', /damaged.*moved to .*journal\.sqlite\.damaged-2026-12-01T08-00-00-000Z/);
  j.record(run());
  assert.equal(j.runs().length, 1);
  j.close();
  assert.ok(readdirSync(dir).some((n) => n.startsWith('journal.sqlite.damaged-')));
});

test('a journal from a newer Lifeboat is left untouched and records nothing', (t) => {
  const path = join(tempDir(t), 'journal.sqlite');
  const db = new Database(path);
  db.pragma(`user_version = ${JOURNAL_SCHEMA_VERSION + 1}`);
  db.close();
  const j = openJournal(path, clock);
  assert.match(j.problem ?? '', /newer Lifeboat/);
  j.record(run());
  assert.deepEqual(j.runs(), []);
  assert.equal(new Database(path).pragma('user_version', { simple: true }), JOURNAL_SCHEMA_VERSION + 1);
});

test('an unwritable state directory gives a journal that says why and records nothing', { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false }, (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o500);
  t.after(() => chmodSync(dir, 0o700));
  const j = openJournal(join(dir, 'sub', 'journal.sqlite'), clock);
  assert.match(j.problem ?? '', /could not create the journal/);
  j.record(run());
  assert.deepEqual(j.runs(), []);
});

test('a path that is a directory cannot be a journal: a clean problem, not a throw', (t) => {
  const dir = tempDir(t);
  const j = openJournal(dir, clock);
  assert.ok(j.problem !== undefined);
  assert.ok(existsSync(dir));
  j.record(run());
});

test('writes failing after opening (the file removed under it, read-only) turn into a problem, not a throw', (t) => {
  const path = join(tempDir(t), 'journal.sqlite');
  const j = openJournal(path, clock);
  j.close();
  j.record(run());
  assert.match(j.problem ?? '', /could not write/);
  assert.deepEqual(j.runs(), []);
});

test('two processes recording at once (two connections) lose nothing', (t) => {
  const path = join(tempDir(t), 'journal.sqlite');
  const a = openJournal(path, clock);
  const b = openJournal(path, clock);
  for (let i = 0; i < 50; i++) {
    a.record(run({ summary: `a${i}` }));
    b.record(run({ summary: `b${i}`, kind: 'check' }));
  }
  assert.equal(a.problem ?? b.problem, undefined);
  const all = a.runs({ limit: 1000 });
  assert.equal(all.length, 100);
  assert.deepEqual(all.map((r) => r.id), [...all.map((r) => r.id)].sort((x, y) => y - x));
  assert.equal(b.runs({ kind: 'check', limit: 1000 }).length, 50);
  a.close();
  b.close();
});

test('a journal whose pages are damaged after the header never throws from record or runs', (t) => {
  const path = join(tempDir(t), 'journal.sqlite');
  const j = openJournal(path, clock);
  for (let i = 0; i < 200; i++) j.record(run({ summary: 'x'.repeat(200) }));
  j.close();
  const bytes = readFileSync(path);
  for (let i = 4096; i < bytes.length; i += 7) bytes[i] = 0xff;
  writeFileSync(path, bytes);
  const again = openJournal(path, clock);
  again.record(run());
  again.runs();
  again.close();
});

test('a SQLite driver that does not load leaves the journal file as it is and records nothing', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'journal.sqlite');
  const good = openJournal(path, clock);
  good.record(run());
  good.close();
  const before = readFileSync(path);
  const j = openJournal(path, clock, () => {
    throw new Error('Could not locate the bindings file');
  });
  assert.match(j.problem ?? '', /SQLite driver \(better-sqlite3\) did not load \(Could not locate the bindings file\)/);
  assert.equal(j.notice, undefined);
  j.record(run());
  assert.deepEqual(j.runs(), []);
  j.close();
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('damaged')), []);
  assert.deepEqual(readFileSync(path), before);
  const again = openJournal(path, clock);
  assert.equal(again.runs().length, 1);
  again.close();
});
