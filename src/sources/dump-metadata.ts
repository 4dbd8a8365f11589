import type { DatabaseEngine } from './source-specs.js';
import { jsonBytes, lazyFile, type VirtualFile } from './virtual-file.js';
import type { Deferred } from './deferred.js';

/** `/databases/<engine>/<db>.json`, next to each dump (format fixed in the team's shared formats). */
export interface DumpMetadata {
  readonly version: 1;
  readonly engine: DatabaseEngine;
  readonly database: string;
  readonly dump: string;
  readonly serverVersion: string;
  readonly toolVersion: string;
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
  readonly dumpedAt: string;
}

export function dumpFileName(engine: DatabaseEngine, db: string): string {
  return engine === 'postgres' ? `${db}.pgdump` : `${db}.sql`;
}

export function dumpPath(engine: DatabaseEngine, db: string): string {
  return `/databases/${engine}/${dumpFileName(engine, db)}`;
}

export function metadataPath(engine: DatabaseEngine, db: string): string {
  return `/databases/${engine}/${db}.json`;
}

/** The metadata file; its content waits for the dump (listed before it) to complete. */
export function metadataFile(engine: DatabaseEngine, db: string, meta: Deferred<DumpMetadata>): VirtualFile {
  return lazyFile(metadataPath(engine, db), async () => jsonBytes(await meta.promise), 0o644);
}

/** RFC 3339 in UTC, to the second. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
