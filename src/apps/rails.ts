import type { SecretsSpec, SourceSpec } from '../sources/index.js';
import { join } from 'node:path';
import { dotEnvOf, envOrDotEnv, existing, isDir, readText } from './discover-util.js';
import type { Discovery, PresetContext } from './preset-types.js';
import { railsDatabase } from './rails-database.js';
import { credentialsSecretKeyBase } from './rails-credentials.js';


/** Secret files a Rails app may keep; all optional (an app has some of them). */
const RAILS_SECRET_FILES = ['.env', 'config/master.key', 'config/credentials.yml.enc', 'config/credentials/production.key', 'config/credentials/production.yml.enc', 'config/secrets.yml'];
const RAILS_KEY_NAMES = ['SECRET_KEY_BASE', 'RAILS_MASTER_KEY'];

/**
 * A Rails app: its production database, Active Storage `storage/` and old `public/uploads/`,
 * SECRET_KEY_BASE / RAILS_MASTER_KEY (environment, then .env) and the credential files.
 */
export function discoverRails(ctx: PresetContext, preset = 'rails', extraKeys: readonly string[] = []): Discovery {
  const notes: string[] = [];
  const root = ctx.root;
  if (!root || !isDir(root)) return { sources: [], notes: [`app root ${root ?? '(none)'} is not a directory: nothing discovered`] };
  const origin = `preset ${preset}`;
  const dotEnv = dotEnvOf(root);
  const sources: SourceSpec[] = [];
  const db = railsDatabase(root, ctx.env, dotEnv, origin, notes);
  if (db) sources.push(db);
  const dirs = existing(root, ['storage', 'public/uploads']).filter(isDir);
  if (dirs.length) sources.push({ kind: 'files', paths: dirs, origin });
  else notes.push('no storage/ or public/uploads/ found');
  const known: { name: string; value: string; source: string }[] = [];
  for (const name of [...RAILS_KEY_NAMES, ...extraKeys]) {
    const v = envOrDotEnv(name, ctx.env, dotEnv, root);
    if (v) known.push({ name, ...v });
  }
  const files = existing(root, RAILS_SECRET_FILES);
  if (!known.some((k) => k.name === 'SECRET_KEY_BASE')) {
    const fromCredentials = credentialsKey(root, ctx.env, dotEnv);
    if (fromCredentials) known.push({ name: 'SECRET_KEY_BASE', ...fromCredentials });
  }
  if (!known.some((k) => k.name === 'SECRET_KEY_BASE') && !files.some((f) => f.endsWith('master.key') || f.endsWith('production.key'))) {
    notes.push('no SECRET_KEY_BASE (environment or .env) and no master key found: add it under secrets (process_env of the app server, or values)');
  }
  const secrets: SecretsSpec = { kind: 'secrets', files: files.map((path) => ({ path, optional: true })), values: [], processEnv: [], known, origin };
  if (known.length || files.length) sources.push(secrets);
  notes.push(`secrets: ${[...known.map((k) => k.name), ...files.map((f) => f.slice(root.length + 1))].join(', ') || 'none'}`);
  return { sources, notes };
}

export function discoverDecidim(ctx: PresetContext): Discovery {
  const d = discoverRails(ctx, 'decidim');
  // Decidim runs on PostgreSQL only; say so when discovery found something else.
  const other = d.sources.find((s) => s.kind === 'mysql');
  return other ? { sources: d.sources.filter((s) => s !== other), notes: [...d.notes, 'Decidim uses PostgreSQL, but the database found is MySQL: ignored'] } : d;
}


/** secret_key_base of the encrypted credentials, opened with RAILS_MASTER_KEY or the key file next to them. */
function credentialsKey(root: string, env: PresetContext['env'], dotEnv: Map<string, string>): { value: string; source: string } | undefined {
  const envKey = envOrDotEnv('RAILS_MASTER_KEY', env, dotEnv, root)?.value;
  for (const [enc, keyFile] of [['config/credentials/production.yml.enc', 'config/credentials/production.key'], ['config/credentials.yml.enc', 'config/master.key']] as const) {
    const text = readText(join(root, enc));
    if (text === undefined) continue;
    for (const key of [readText(join(root, keyFile)), envKey]) {
      const v = key ? credentialsSecretKeyBase(text, key) : undefined;
      if (v) return { value: v, source: `${join(root, enc)}#secret_key_base` };
    }
  }
  return undefined;
}
