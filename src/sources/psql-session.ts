import { LifeboatError } from '../errors/index.js';
import type { ProcessRunner, RunningProcess } from './process-runner.js';
import type { FailureContext } from './tool-process.js';
import { failureOf } from './tool-process.js';

const READY = '__LIFEBOAT_READY__';

/** What the session learnt inside its snapshot. */
export interface PgSnapshotFacts {
  readonly snapshotId: string;
  readonly serverVersion: string;
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
}

/** Every table's exact row count, in one statement (count(*) through query_to_xml). */
const COUNTS_SQL = `SELECT coalesce(json_agg(json_build_array(t.name, t.rows) ORDER BY t.name), '[]') FROM (
  SELECT n.nspname || '.' || c.relname AS name,
    (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS rows
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
) t;`;

/**
 * A psql session holding a repeatable-read transaction open while pg_dump runs: it exports
 * its snapshot (pg_dump --snapshot= imports it) and counts rows inside it, so the recorded
 * counts are exactly what the dump holds. `close()` commits and waits for psql to exit.
 */
export class PsqlSnapshotSession {
  private release!: () => void;
  private readonly released = new Promise<void>((r) => (this.release = r));
  private child!: RunningProcess;
  private drained: Promise<void> = Promise.resolve();

  constructor(private readonly runner: ProcessRunner, private readonly psql: string, private readonly url: string, private readonly env: Record<string, string>, private readonly ctx: FailureContext) {}

  async open(signal?: AbortSignal): Promise<PgSnapshotFacts> {
    const script = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT pg_export_snapshot();\nSELECT current_setting('server_version');\n${COUNTS_SQL}\n\\echo ${READY}\n`;
    const released = this.released;
    async function* input(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(script);
      await released;
      yield new TextEncoder().encode('COMMIT;\n');
    }
    this.child = this.runner.run({
      command: this.psql,
      args: ['-X', '-q', '-A', '-t', '-w', '-v', 'ON_ERROR_STOP=1', `--dbname=${this.url}`],
      env: this.env,
      stdin: input(),
      ...(signal ? { signal } : {}),
    });
    const it = this.child.stdout[Symbol.asyncIterator]();
    let text = '';
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      text += Buffer.from(r.value).toString('utf8');
      if (text.includes(`${READY}\n`)) break;
    }
    if (!text.includes(`${READY}\n`)) {
      this.release();
      throw failureOf(await this.child.done, this.ctx) ?? new LifeboatError('SOURCE_DUMP_FAILED', `${this.ctx.what}: psql ended before it was ready`);
    }
    // Keep reading so psql never blocks on a full pipe; it prints nothing more with -q.
    this.drained = (async () => {
      for (let r = await it.next(); !r.done; r = await it.next());
    })();
    return parseFacts(text.slice(0, text.indexOf(READY)), this.ctx.what);
  }

  /** Ends the transaction; throws if psql failed (the dump's snapshot is then suspect). */
  async close(): Promise<void> {
    this.release();
    await this.drained;
    const err = failureOf(await this.child.done, this.ctx);
    if (err) throw err;
  }

  /** Ends it without caring how (the dump already failed). */
  abort(): void {
    this.release();
    this.child?.kill();
  }
}

function parseFacts(text: string, what: string): PgSnapshotFacts {
  const lines = text.split('\n').filter((l) => l !== '');
  const [snapshotId, version, counts] = lines;
  let tables: { name: string; rows: number }[] = [];
  try {
    const parsed = JSON.parse(counts ?? '') as [string, number][];
    tables = parsed.map(([name, rows]) => ({ name, rows: Number(rows) }));
  } catch {
    throw new LifeboatError('SOURCE_DUMP_FAILED', `${what}: unexpected answer from psql while counting rows; check the psql version`);
  }
  if (!snapshotId || !/^[0-9A-F-]+$/i.test(snapshotId)) throw new LifeboatError('SOURCE_DUMP_FAILED', `${what}: psql did not export a snapshot; is the server older than 9.2?`);
  return { snapshotId, serverVersion: (version ?? '').split(' ')[0] ?? '', tables };
}
