import { LifeboatError } from '../errors/index.js';
import type { Id } from '../model/index.js';
import type { Repository, SnapshotEntry } from '../repo/index.js';
import { findNode, loadTreeNodes } from '../restorer/index.js';
import { dumpPath, restoreDatabaseDump, type DatabaseEngine, type DatabaseRestoreResult, type DbConnection, type ProcessRunner } from '../sources/index.js';
import { findSnapshot } from './snapshot-select.js';

export function appTag(app: string): string {
  return `app:${app}`;
}

/** A snapshot of the app: `latest` of those tagged app:NAME, or an ID that must carry the tag. */
export async function findAppSnapshot(repo: Repository, app: string, ref: string): Promise<SnapshotEntry> {
  const entry = await findSnapshot(repo, ref, { tags: [appTag(app)] });
  if (!entry.snapshot.tags?.includes(appTag(app))) {
    throw new LifeboatError('SNAPSHOT_NOT_FOUND', `snapshot ${entry.id.slice(0, 8)} is not a snapshot of app ${app} (no tag ${appTag(app)}); list them with "lifeboat apps"`);
  }
  return entry;
}

/** The bytes of one file of a snapshot, blob after blob (each verified when loaded). */
export async function* snapshotFileStream(repo: Repository, tree: Id, path: string, snapshotId: Id): AsyncGenerator<Uint8Array> {
  const node = await findNode(repo, tree, path);
  if (!node || node.type !== 'file') throw new LifeboatError('PATH_NOT_FOUND', `${path} is not in snapshot ${snapshotId.slice(0, 8)}`);
  for (const id of node.content ?? []) yield await repo.loadBlob('data', id);
}

export function engineOfTarget(url: string): DatabaseEngine {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(url)) return 'mysql';
  throw new LifeboatError('INVALID_ARGUMENT', `--into must be a postgres://, mysql:// or mariadb:// URL naming the database to restore into`);
}

export interface SnapshotDatabaseRestore {
  readonly database: string;
  /** Which dump, when the snapshot has the same database name for both engines; else the one found. */
  readonly engine?: DatabaseEngine;
  readonly into: DbConnection & { readonly database?: string };
  readonly force?: boolean;
  readonly noOwner?: boolean;
}

/**
 * Restores one dump of a snapshot into a database, streaming blob by blob into pg_restore or
 * mariadb (library entry point: `lifeboat restore --database` and the restore drill use it).
 * The repository index must be loaded and a lock held by the caller.
 */
export async function restoreSnapshotDatabase(repo: Repository, entry: SnapshotEntry, req: SnapshotDatabaseRestore, deps: { runner: ProcessRunner; tools?: Readonly<Record<string, string>>; now?: () => Date }): Promise<DatabaseRestoreResult> {
  const engines: DatabaseEngine[] = req.engine ? [req.engine] : ['postgres', 'mysql'];
  const found: DatabaseEngine[] = [];
  for (const e of engines) if ((await findNode(repo, entry.snapshot.tree, dumpPath(e, req.database)))?.type === 'file') found.push(e);
  if (found.length === 0) {
    const have = await dumpNames(repo, entry.snapshot.tree);
    throw new LifeboatError('PATH_NOT_FOUND', `snapshot ${entry.id.slice(0, 8)} has no dump of database "${req.database}"; ${have.length ? `its dumps: ${have.join(', ')}` : 'it holds no database dump'}`);
  }
  if (found.length > 1) throw new LifeboatError('INVALID_ARGUMENT', `snapshot ${entry.id.slice(0, 8)} has database "${req.database}" for both PostgreSQL and MySQL; say which with the URL of --into`);
  const engine = found[0]!;
  const dump = snapshotFileStream(repo, entry.snapshot.tree, dumpPath(engine, req.database), entry.id);
  return restoreDatabaseDump(
    { engine, dump, into: req.into, ...(req.force ? { force: true } : {}), ...(req.noOwner ? { noOwner: true } : {}) },
    { runner: deps.runner, now: deps.now ?? (() => repo.env.clock.now()), ...(deps.tools ? { tools: deps.tools } : {}) },
  );
}

/** `engine/name` of every dump in a snapshot, for the message when the one asked for is not there. */
async function dumpNames(repo: Repository, tree: Id): Promise<string[]> {
  const out: string[] = [];
  for (const engine of ['postgres', 'mysql'] as const) {
    const dir = await findNode(repo, tree, `/databases/${engine}`);
    if (dir?.type !== 'dir' || !dir.subtree) continue;
    for (const n of await loadTreeNodes(repo, dir.subtree)) {
      const m = /^(.+)\.(pgdump|sql)$/.exec(Buffer.from(n.name).toString());
      if (m) out.push(`${engine}/${m[1]}`);
    }
  }
  return out;
}
