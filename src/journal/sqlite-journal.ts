import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Clock } from '../lib/index.js';
import { unavailableJournal, type Journal } from './journal.js';
import { RUN_KINDS, type RunKind, type RunQuery, type RunRecord, type StoredRun } from './run-record.js';

/** Bumped for every change of the tables below; a newer file is left untouched. */
export const JOURNAL_SCHEMA_VERSION = 1;
export const JOURNAL_FILE = 'journal.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  app TEXT,
  location TEXT,
  snapshot TEXT,
  started_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  summary TEXT NOT NULL,
  details TEXT
);
CREATE INDEX IF NOT EXISTS runs_app_kind ON runs (app, kind, id);
`;

interface Row {
  id: number;
  kind: string;
  app: string | null;
  location: string | null;
  snapshot: string | null;
  started_at: string;
  duration_ms: number;
  ok: number;
  summary: string;
  details: string | null;
}

function rowToRun(r: Row): StoredRun | undefined {
  if (!(RUN_KINDS as readonly string[]).includes(r.kind)) return undefined;
  let details: unknown;
  try {
    details = r.details === null ? undefined : JSON.parse(r.details);
  } catch {
    details = undefined;
  }
  return {
    id: r.id,
    kind: r.kind as RunKind,
    ...(r.app === null ? {} : { app: r.app }),
    ...(r.location === null ? {} : { location: r.location }),
    ...(r.snapshot === null ? {} : { snapshot: r.snapshot }),
    startedAt: new Date(r.started_at),
    durationMs: r.duration_ms,
    ok: r.ok === 1,
    summary: r.summary,
    ...(details === undefined ? {} : { details }),
  };
}

/** better-sqlite3's constructor (the module itself). */
export type SqliteDriver = typeof Database;

let driver: SqliteDriver | undefined;

/**
 * better-sqlite3 is 14 modules and a native addon: loaded on the first journal opened, so a
 * command that records nothing (`backup -r`, `restore`, `check -r`) never loads it. It is
 * CommonJS, so a synchronous require works and `openJournal` stays synchronous.
 */
function loadBetterSqlite(): SqliteDriver {
  return (driver ??= createRequire(import.meta.url)('better-sqlite3') as SqliteDriver);
}

function openDatabase(Driver: SqliteDriver, path: string): Database.Database {
  const db = new Driver(path, { timeout: 5000 });
  try {
    // WAL lets `history` and the dashboard read while a backup writes.
    db.pragma('journal_mode = WAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > JOURNAL_SCHEMA_VERSION) {
      throw new NewerSchema(`the journal ${path} was written by a newer Lifeboat (schema ${version}); upgrade Lifeboat to record into it`);
    }
    if (version < JOURNAL_SCHEMA_VERSION) {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${JOURNAL_SCHEMA_VERSION}`);
      })();
    }
    db.prepare('SELECT count(*) FROM runs').get();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

class NewerSchema extends Error {}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

class SqliteJournal implements Journal {
  problem: string | undefined = undefined;
  private readonly insert: Database.Statement;

  constructor(
    readonly path: string,
    private readonly db: Database.Database,
    readonly notice: string | undefined = undefined,
  ) {
    this.insert = db.prepare('INSERT INTO runs (kind, app, location, snapshot, started_at, duration_ms, ok, summary, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  }

  record(run: RunRecord): void {
    if (this.problem !== undefined) return;
    try {
      this.insert.run(run.kind, run.app ?? null, run.location ?? null, run.snapshot ?? null, run.startedAt.toISOString(), Math.round(run.durationMs), run.ok ? 1 : 0, run.summary, run.details === undefined ? null : JSON.stringify(run.details));
    } catch (e) {
      this.problem = `could not write to the journal ${this.path} (${(e as Error).message}); runs are not being recorded`;
    }
  }

  runs(q: RunQuery = {}): StoredRun[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    for (const [col, v] of [['app', q.app], ['kind', q.kind], ['location', q.location]] as const) {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    }
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    try {
      const rows = this.db.prepare(sql).all(...args, q.limit ?? 100) as Row[];
      return rows.map(rowToRun).filter((r): r is StoredRun => r !== undefined);
    } catch (e) {
      this.problem ??= `could not read the journal ${this.path} (${(e as Error).message})`;
      return [];
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Opens (or creates) the journal at `path`. Never throws: a damaged file is moved aside to
 * `<path>.damaged-<time>` and a new one started (the old one is kept for whoever wants to look);
 * a journal that cannot be opened at all (not a file, unwritable), or one from a newer Lifeboat, gives a journal that
 * records nothing and says why in `problem`; so does a SQLite driver that does not load
 * (`loadDriver`, replaceable for tests), and then the file is left as it is.
 */
export function openJournal(path: string, clock: Clock, loadDriver: () => SqliteDriver = loadBetterSqlite): Journal {
  let Driver: SqliteDriver;
  try {
    Driver = loadDriver();
  } catch (e) {
    // Before touching the file: a driver that does not load says nothing about the journal.
    return unavailableJournal(path, `the journal ${path} cannot be used: its SQLite driver (better-sqlite3) did not load (${(e as Error)?.message ?? String(e)}); reinstall Lifeboat with its dependencies; runs are not being recorded`);
  }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return new SqliteJournal(path, openDatabase(Driver, path));
  } catch (first) {
    if (first instanceof NewerSchema) return unavailableJournal(path, first.message);
    if (!isFile(path)) return unavailableJournal(path, `could not create the journal ${path} (${(first as Error).message}); runs are not being recorded`);
    const aside = `${path}.damaged-${clock.now().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(path, aside);
      for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
      return new SqliteJournal(path, openDatabase(Driver, path), `the journal ${path} was damaged (${(first as Error).message}); it was moved to ${aside} and a new one started`);
    } catch (second) {
      return unavailableJournal(path, `the journal ${path} could not be opened (${(second as Error).message}); runs are not being recorded`);
    }
  }
}
