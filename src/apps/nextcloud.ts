import { join } from 'node:path';
import { parsePhpConfig, phpLookup, type DatabaseSpec, type SourceSpec } from '../sources/index.js';
import { isDir, isFile, readText } from './discover-util.js';
import type { Discovery, PresetContext } from './preset-types.js';

/** Nextcloud: config/config.php (secret, passwordsalt), its data directory and its database. */
export function discoverNextcloud(ctx: PresetContext): Discovery {
  const root = ctx.root;
  if (!root || !isDir(root)) return { sources: [], notes: [`app root ${root ?? '(none)'} is not a directory: nothing discovered`] };
  const origin = 'preset nextcloud';
  const notes: string[] = [];
  const sources: SourceSpec[] = [];
  const file = join(root, 'config', 'config.php');
  if (!isFile(file)) return { sources: [], notes: ['no config/config.php: nothing discovered'] };
  let cfg;
  try {
    cfg = parsePhpConfig(readText(file) ?? '', file);
  } catch {
    return { sources: [{ kind: 'secrets', files: [{ path: file }], values: [], processEnv: [], known: [], origin }], notes: ['config/config.php could not be read as PHP: only the file itself is backed up'] };
  }
  const p = (k: string) => {
    const v = phpLookup(cfg, k);
    return v === undefined || v === null || v instanceof Map || v === '' ? undefined : String(v);
  };
  const values = ['secret', 'passwordsalt', 'instanceid'].filter((k) => p(k)).map((k) => ({ name: k, from: file, key: k, format: 'php' as const }));
  sources.push({ kind: 'secrets', files: [{ path: file }], values, processEnv: [], known: [], origin });
  const data = p('datadirectory') ?? join(root, 'data');
  if (isDir(data)) sources.push({ kind: 'files', paths: [data], exclude: ['nextcloud.log', 'appdata_*/preview'], origin });
  else notes.push(`data directory ${data} not found`);
  const type = p('dbtype') ?? 'sqlite3';
  if (type === 'pgsql' || type === 'mysql') {
    // dbhost is "host", "host:port" or "host:/path/to/socket".
    const [host, rest] = (p('dbhost') ?? 'localhost').split(/:(.*)/s);
    const port = Number(rest ?? p('dbport'));
    const kind = type === 'pgsql' ? 'postgres' : 'mysql';
    const db: DatabaseSpec = {
      kind,
      ...(rest?.startsWith('/') ? (kind === 'mysql' ? { socket: rest } : { host: rest }) : host && !(kind === 'mysql' && host === 'localhost') ? { host } : {}),
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      ...(p('dbuser') ? { user: p('dbuser')! } : {}),
      ...(p('dbpassword') ? { password: p('dbpassword')! } : {}),
      ...(p('dbname') ? { database: p('dbname')! } : {}),
      origin,
    };
    sources.push(db);
    notes.push(`database ${db.database ?? '?'} (${kind}) from config.php`);
  } else notes.push(`dbtype ${type}: the database lives in the data directory (backed up with it)`);
  if (!p('secret')) notes.push('no secret in config.php');
  return { sources, notes };
}
