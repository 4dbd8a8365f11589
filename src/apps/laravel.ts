import { join } from 'node:path';
import type { DatabaseSpec, SourceSpec } from '../sources/index.js';
import { dotEnvOf, envOrDotEnv, existing, isDir, isFile } from './discover-util.js';
import type { Discovery, PresetContext } from './preset-types.js';
import { engineOfUrl } from './rails-database.js';

/** Laravel (Firefly III, BookStack...): APP_KEY and the whole .env, the DB_* database, storage/. */
export function discoverLaravel(ctx: PresetContext): Discovery {
  const root = ctx.root;
  if (!root || !isDir(root)) return { sources: [], notes: [`app root ${root ?? '(none)'} is not a directory: nothing discovered`] };
  const origin = 'preset laravel';
  const notes: string[] = [];
  const sources: SourceSpec[] = [];
  const dotEnv = dotEnvOf(root);
  const get = (k: string) => envOrDotEnv(k, ctx.env, dotEnv, root)?.value;
  const url = get('DB_URL') ?? get('DATABASE_URL');
  const conn = (get('DB_CONNECTION') ?? '').toLowerCase();
  const kind = url ? engineOfUrl(url) : conn === 'pgsql' ? 'postgres' : conn === 'mysql' || conn === 'mariadb' ? 'mysql' : undefined;
  if (kind) {
    const port = Number(get('DB_PORT'));
    const host = get('DB_HOST');
    const socket = get('DB_SOCKET');
    const db: DatabaseSpec = url
      ? { kind, url, origin }
      : {
          kind,
          ...(socket ? { socket } : host && !(kind === 'mysql' && host === 'localhost') ? { host } : {}),
          ...(Number.isInteger(port) && port > 0 && !socket ? { port } : {}),
          ...(get('DB_USERNAME') ? { user: get('DB_USERNAME')! } : {}),
          ...(get('DB_PASSWORD') ? { password: get('DB_PASSWORD')! } : {}),
          ...(get('DB_DATABASE') ? { database: get('DB_DATABASE')! } : {}),
          origin,
        };
    sources.push(db);
    notes.push(`database (${kind}) from DB_* settings`);
  } else notes.push(`DB_CONNECTION ${conn || '(unset)'}: no PostgreSQL or MySQL database found`);
  if (isDir(join(root, 'storage'))) {
    sources.push({ kind: 'files', paths: [join(root, 'storage')], exclude: ['framework/cache', 'framework/sessions', 'framework/views', 'logs'], origin });
  }
  const key = envOrDotEnv('APP_KEY', ctx.env, dotEnv, root);
  const envFile = join(root, '.env');
  sources.push({ kind: 'secrets', files: isFile(envFile) ? [{ path: envFile }] : [], values: [], processEnv: [], known: key ? [{ name: 'APP_KEY', ...key }] : [], origin });
  if (!key) notes.push('no APP_KEY found (environment or .env): encrypted values cannot be read without it');
  notes.push(`files: ${existing(root, ['storage']).length ? 'storage/' : 'none'}`);
  return { sources, notes };
}
