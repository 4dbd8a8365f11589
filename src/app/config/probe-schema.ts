import { PROBE_FORMATS, type ProbeFormat, type ProbeSpec } from '../../apps/probes/index.js';
import { childPath, type ConfigReader, type Fields } from './config-reader.js';

const PROBE = ['name', 'format', 'key', 'sql', 'engine', 'file', 'values'] as const;

/**
 * `probes:` of an app: key probes on top of the preset's. Each names a format, the key (a
 * secret name the app declares) and where samples come from: `sql` (one text column of
 * stored values, on the app's `engine` database), `file` (relative to the app root) or
 * `values` (stored values written out, such as an Active Storage image link of the old site).
 */
export function readProbes(r: ConfigReader, f: Fields): ProbeSpec[] | undefined {
  const items = r.list(f, 'probes', 'a list of key probes (name, format, key, and sql, file or values)');
  if (!items) return undefined;
  const out: ProbeSpec[] = [];
  for (const item of items) {
    const p = r.fields(item.node, item.path, null, PROBE, 'a mapping with name, format, key and one of sql, file, values');
    if (!p) continue;
    const name = r.str(p, 'name', 'a name for the probe', true);
    const format = r.str(p, 'format', `one of ${PROBE_FORMATS.join(', ')}`, true);
    const key = r.str(p, 'key', 'the name of the secret to try', true);
    if (format && !(PROBE_FORMATS as readonly string[]).includes(format.value)) r.report(format.node, childPath(item.path, 'format'), `unknown format "${format.value}"; expected one of ${PROBE_FORMATS.join(', ')}`);
    const sql = r.str(p, 'sql', 'an SQL query returning one column of stored values');
    const engine = r.str(p, 'engine', 'postgres or mysql');
    const file = r.str(p, 'file', 'a file relative to the app root');
    const values = r.strList(p, 'values', 'a list of stored values');
    const given = [sql, file, values].filter((x) => x !== undefined).length;
    if (given !== 1) r.report(p.at, item.path, 'expected exactly one of sql, file, values');
    if (sql && (!engine || !['postgres', 'mysql'].includes(engine.value))) r.report(engine?.node ?? p.at, childPath(item.path, 'engine'), 'an sql probe needs engine: postgres or mysql');
    if (!name || !format || !key || given !== 1 || !(PROBE_FORMATS as readonly string[]).includes(format.value)) continue;
    const samples: ProbeSpec['samples'] = sql
      ? { kind: 'sql', engine: engine?.value === 'mysql' ? 'mysql' : 'postgres', sql: sql.value }
      : file
        ? { kind: 'file', path: file.value }
        : { kind: 'values', values: (values ?? []).map((v) => v.value) };
    out.push({ name: name.value, format: format.value as ProbeFormat, keys: [key.value], samples });
  }
  return out;
}
