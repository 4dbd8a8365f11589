// The Decidim-like app of the proof tests: PostgreSQL values encrypted exactly as Decidim does.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeStorageKey, decidimEncrypt, decidimKey, marshalString, sealCredentials, signBlobId } from '../../../src/apps/probes/index.js';
import { makeProofApp, psql, type ProofApp } from './proof-app.js';

export const SMTP_PASSWORD = 'smtp-password-never-printed';

/** A Decidim-like app: PostgreSQL with values encrypted exactly as Decidim does, SECRET_KEY_BASE in .env. */
/** Generic probes of the config: votes' personal metadata (SQL) and an Active Storage link (a value). */
export function decidimProbes(link: string): string {
  return `probes:\n  - { name: votes metadata, format: decidim-personal-metadata, key: SECRET_KEY_BASE, engine: postgres, sql: "SELECT encrypted_metadata FROM decidim_initiatives_votes" }\n  - { name: logo link, format: active-storage-signed-id, key: SECRET_KEY_BASE, values: ["${link}"] }`;
}

export function decidimApp(t: { after(fn: () => void): void }): ProofApp & { skb: string; link: string } {
  const app = makeProofApp(t, 'decidim');
  const skb = randomBytes(64).toString('hex');
  psql('postgres', `CREATE DATABASE ${app.db}`);
  t.after(() => void psql('postgres', `DROP DATABASE IF EXISTS ${app.db} WITH (FORCE)`));
  const k = decidimKey(skb, 'sha256');
  const enc = (s: string): string => decidimEncrypt(k, marshalString(s));
  const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  psql(app.db, `
    CREATE TABLE decidim_organizations (id serial PRIMARY KEY, name text, smtp_settings jsonb, omniauth_settings jsonb);
    CREATE TABLE decidim_authorizations (id serial PRIMARY KEY, name text, metadata jsonb);
    CREATE TABLE decidim_users (id serial PRIMARY KEY, email text);
    INSERT INTO decidim_organizations (name, smtp_settings, omniauth_settings) VALUES
      ('city', jsonb_build_object('from', 'x@example.org', 'encrypted_password', ${q(enc(SMTP_PASSWORD))}),
               jsonb_build_object('omniauth_settings_facebook_enabled', true, 'omniauth_settings_facebook_client_secret', ${q(enc('fb-secret'))}));
    INSERT INTO decidim_authorizations (name, metadata) SELECT 'id_documents', jsonb_build_object('document_number', ${q(decidimEncrypt(k, JSON.stringify('12345678Z')))}) FROM generate_series(1, 5);
    INSERT INTO decidim_users (email) SELECT 'u' || g || '@example.org' FROM generate_series(1, 250) g;
    CREATE TABLE decidim_initiatives_votes (id serial PRIMARY KEY, encrypted_metadata text);
    INSERT INTO decidim_initiatives_votes (encrypted_metadata) SELECT ${q(decidimEncrypt(decidimKey(skb, 'sha1', 'personal user metadata'), JSON.stringify({ name: 'x' })))} FROM generate_series(1, 3);
  `);
  // An image link of the old site: proves the key with no database at all.
  const link = `https://city.example.org/rails/active_storage/blobs/redirect/${signBlobId(activeStorageKey(skb, 'sha256'), 17)}/logo.png`;
  mkdirSync(join(app.root, 'storage', 'ab'), { recursive: true });
  writeFileSync(join(app.root, 'storage', 'ab', 'logo.png'), randomBytes(50_000));
  // Rails credentials: config/master.key opens config/credentials.yml.enc.
  mkdirSync(join(app.root, 'config'), { recursive: true });
  const master = randomBytes(16).toString('hex');
  writeFileSync(join(app.root, 'config', 'master.key'), `${master}\n`);
  writeFileSync(join(app.root, 'config', 'credentials.yml.enc'), sealCredentials(master, marshalString('aws:\n  secret: x\n')));
  writeFileSync(join(app.root, '.env'), `SECRET_KEY_BASE=${skb}\nDATABASE_URL=postgres://postgres@127.0.0.1:5432/${app.db}\n`);
  app.writeConfig('portal', `preset: decidim\nroot: ${app.root}\nlocations: [local, offsite]\n${decidimProbes(link)}`);
  return Object.assign(app, { skb, link });
}

