import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { phpSerializedStrings, runProbe, SAMPLE_LIMIT, type ProbeSpec } from '../../apps/probes/index.js';
import { phpLookup, parsePhpConfig } from '../../sources/index.js';
import type { DbClient } from './db-client.js';
import type { ProbeDrill } from './drill-report.js';

/** Where a probe's samples and keys come from in a drill (or, for `keys`, in the live app). */
export interface ProbeContext {
  /** The key bytes by name; absent names are keys the snapshot (or the app) does not have. */
  readonly keys: ReadonlyMap<string, Uint8Array>;
  /** A client and database per engine, where the SQL samples are read. */
  readonly databases: Partial<Record<'postgres' | 'mysql', { readonly client: DbClient; readonly database: string }>>;
  /** Directories a file sample is looked for in, in order (the restored root, then its copy under /secrets/files). */
  readonly fileRoots?: readonly string[];
  /** Mautic's `db_table_prefix`. */
  readonly tablePrefix?: string;
}

async function samplesOf(spec: ProbeSpec, ctx: ProbeContext): Promise<{ samples: string[]; note?: string }> {
  const s = spec.samples;
  if (s.kind === 'values') return { samples: s.values.slice(0, SAMPLE_LIMIT) };
  if (s.kind === 'file') {
    if (!ctx.fileRoots?.length) return { samples: [], note: 'the app has no root to find the file in' };
    for (const dir of ctx.fileRoots) {
      try {
        return { samples: [readFileSync(join(dir, s.path), 'utf8')] };
      } catch {
        // next place
      }
    }
    return { samples: [], note: `${s.path} is not there` };
  }
  const db = ctx.databases[s.engine];
  if (!db) return { samples: [], note: `no ${s.engine} database to read samples from` };
  try {
    const rows = await db.client.query(db.database, s.sql.replace('{prefix}', ctx.tablePrefix ?? ''));
    const values = rows.map((r) => r[0]).filter((v): v is string => typeof v === 'string' && v !== '');
    const samples = s.extract === 'php-serialized-strings' ? values.flatMap(phpSerializedStrings) : values;
    return { samples: samples.slice(0, SAMPLE_LIMIT) };
  } catch (e) {
    // A table the app does not use (no OAuth, older version) is not a failure of the key.
    const missing = /(?:relation|Table) ["'`]?([\w.]+)["'`]? (?:does not exist|doesn't exist)/.exec((e as Error).message);
    return { samples: [], note: missing ? `no table ${missing[1]}` : `samples could not be read: ${(e as Error).message}` };
  }
}

/** Runs each probe; the answer is counts only. */
export async function runProbes(specs: readonly ProbeSpec[], ctx: ProbeContext): Promise<ProbeDrill[]> {
  const out: ProbeDrill[] = [];
  for (const spec of specs) {
    const { samples, note } = await samplesOf(spec, ctx);
    const keyName = spec.keys.find((k) => ctx.keys.has(k));
    const base = { name: spec.name, format: spec.format, ...(note ? { note } : {}) };
    if (samples.length === 0) {
      out.push({ ...base, ...(keyName ? { key: keyName } : {}), tried: 0, opened: 0, failed: 0, verdict: 'no-samples' });
      continue;
    }
    if (!keyName) {
      out.push({ ...base, tried: samples.length, opened: 0, failed: samples.length, verdict: 'failed', reason: `no ${spec.keys.join(' or ')} to try` });
      continue;
    }
    const counts = runProbe(spec.format, ctx.keys.get(keyName)!, samples);
    out.push({ ...base, key: keyName, ...counts, verdict: counts.failed === 0 && counts.opened > 0 ? 'passed' : 'failed' });
  }
  return out;
}

/** Mautic's `db_table_prefix` from its local.php under `appRoot` ('' when none). */
export function mauticPrefix(appRoot: string | undefined): string {
  if (!appRoot) return '';
  for (const rel of ['config/local.php', 'app/config/local.php']) {
    const p = join(appRoot, rel);
    if (!existsSync(p)) continue;
    try {
      const v = phpLookup(parsePhpConfig(readFileSync(p, 'utf8'), rel), 'db_table_prefix');
      return typeof v === 'string' && /^[A-Za-z0-9_]*$/.test(v) ? v : '';
    } catch {
      return '';
    }
  }
  return '';
}
