import { join } from 'node:path';
import { parsePhpConfig, phpLookup, type DatabaseSpec, type PhpArray, type SourceSpec } from '../sources/index.js';
import { existing, isDir, isFile, readText } from './discover-util.js';
import type { Discovery, PresetContext } from './preset-types.js';

/**
 * Mautic: config/local.php (Mautic 5; app/config/local.php before) holds the db_* parameters
 * and secret_key; media/ and the config directory are files.
 */
export function discoverMautic(ctx: PresetContext): Discovery {
  const root = ctx.root;
  if (!root || !isDir(root)) return { sources: [], notes: [`app root ${root ?? '(none)'} is not a directory: nothing discovered`] };
  const origin = 'preset mautic';
  const notes: string[] = [];
  const sources: SourceSpec[] = [];
  const local = [join(root, 'config', 'local.php'), join(root, 'app', 'config', 'local.php')].find(isFile);
  if (!local) {
    notes.push('no config/local.php or app/config/local.php: no database or secret_key found');
  } else {
    let params: PhpArray | undefined;
    try {
      params = parsePhpConfig(readText(local) ?? '', local);
    } catch (e) {
      notes.push(`${local} could not be read as PHP (${(e as Error).message.split(': ').at(-1)}): no database found`);
    }
    const p = (k: string) => {
      const v = params ? phpLookup(params, k) : undefined;
      return v === undefined || v === null || v instanceof Map || v === '' ? undefined : String(v);
    };
    const driver = p('db_driver') ?? 'pdo_mysql';
    if (params && /mysql/.test(driver) && p('db_name')) {
      const host = p('db_host');
      const port = Number(p('db_port'));
      const db: DatabaseSpec = {
        kind: 'mysql',
        ...(host && host !== 'localhost' ? { host } : {}),
        ...(Number.isInteger(port) && port > 0 && host && host !== 'localhost' ? { port } : {}),
        ...(p('db_user') ? { user: p('db_user')! } : {}),
        ...(p('db_password') ? { password: p('db_password')! } : {}),
        database: p('db_name')!,
        origin,
      };
      sources.push(db);
      notes.push(`database ${db.database} (MySQL/MariaDB) from ${local.slice(root.length + 1)}`);
    } else if (params) notes.push(`${local.slice(root.length + 1)}: no MySQL db_name (db_driver ${driver}): no database found`);
    const secretFiles = [local, ...existing(root, ['config/parameters_local.php', 'app/config/parameters_local.php'])];
    sources.push({
      kind: 'secrets',
      files: secretFiles.map((path) => ({ path, optional: path !== local })),
      values: p('secret_key') ? [{ name: 'secret_key', from: local, key: 'secret_key', format: 'php' }] : [],
      processEnv: [],
      known: ctx.env['MAUTIC_CONFIG_PARAMETERS'] ? [{ name: 'MAUTIC_CONFIG_PARAMETERS', value: ctx.env['MAUTIC_CONFIG_PARAMETERS'], source: 'env:MAUTIC_CONFIG_PARAMETERS' }] : [],
      origin,
    });
    if (!p('secret_key')) notes.push('no secret_key in local.php: Mautic will make a new one and lose access to stored credentials');
  }
  const dirs = [...existing(root, ['media']), ...[join(root, 'config'), join(root, 'app', 'config')].filter(isDir).slice(0, 1)].filter(isDir);
  if (dirs.length) sources.push({ kind: 'files', paths: dirs, origin });
  notes.push(`files: ${dirs.map((d) => d.slice(root.length + 1)).join(', ') || 'none'}`);
  return { sources, notes };
}
