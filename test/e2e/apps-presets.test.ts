// Issue 4, "done when" 3 and 5: an app root laid out like Decidim (PostgreSQL) and one like
// Mautic (MariaDB) are found by their presets with no manual paths, backed up by one command
// each and restored whole; no secret value appears in any output or process argument list.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { describe as show, expectExit, lastJson, lifeboat, lifeboatEnv, lifeboatSpawn, repoCtx, TempDir, type RunResult } from './support/run.js';
import { PG_URL, dbName, dropMaria, dropPg, fillMaria, maria, mariaSums, pg, pgSums, writeConfig } from './support/databases.js';
import { ArgvWatch } from './support/argv-watch.js';

function put(root: string, rel: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
}

const outputs: RunResult[] = [];
const keep = (r: RunResult) => (outputs.push(r), r);

describe('presets: Decidim and Mautic, found, backed up and restored whole', { timeout: 600_000 }, () => {
  const tmp = new TempDir('lb-apps-presets-');
  const env = lifeboatEnv({});
  const cfg = tmp.join('lifeboat.yaml');
  const portal = repoCtx(tmp, 'portal-repo');
  const mautic = repoCtx(tmp, 'mautic-repo');
  const decidimRoot = tmp.join('srv', 'decidim');
  const mauticRoot = tmp.join('var', 'www', 'mautic');
  const pgDb = dbName('decidim');
  const myDb = dbName('mautic');
  const myUser = `lb_apps_mu_${randomBytes(3).toString('hex')}`;
  const secretKeyBase = randomBytes(64).toString('hex');
  const masterKey = randomBytes(16).toString('hex');
  const mauticKey = randomBytes(32).toString('hex');
  const dbPassword = `Mautic-DB-${randomBytes(8).toString('hex')}`;
  const upload = randomBytes(300_000);
  const run = (args: string[]) => keep(lifeboat({}, ['-c', cfg, ...args], { env }));

  after(() => {
    dropPg(pgDb, `${pgDb}_r`);
    dropMaria(myDb, `${myDb}_r`);
    maria(`DROP USER IF EXISTS '${myUser}'@'localhost';`);
    tmp.cleanup();
  });

  test('both presets discover their sources from the app root alone', () => {
    put(decidimRoot, '.env', `RAILS_ENV=production\nSECRET_KEY_BASE=${secretKeyBase}\nDATABASE_URL=${PG_URL}/${pgDb}\n`);
    put(decidimRoot, 'config/master.key', masterKey);
    put(decidimRoot, 'config/credentials.yml.enc', 'ZW5jcnlwdGVk--aXY=--dGFn');
    put(decidimRoot, 'config/database.yml', 'production:\n  url: <%= ENV["DATABASE_URL"] %>\n');
    put(decidimRoot, 'storage/ab/cd/abcd1234', upload);
    put(decidimRoot, 'public/uploads/decidim/organization/logo.png', Buffer.from('PNG-old-upload'));
    put(decidimRoot, 'app/models/ignored.rb', 'class X; end');
    pg(`CREATE DATABASE "${pgDb}";`);
    pg(`CREATE TABLE decidim_organizations (id int PRIMARY KEY, name jsonb, smtp_settings jsonb);
        INSERT INTO decidim_organizations VALUES (1, '{"en": "Portal"}', '{"encrypted_password": "Y2lwaGVy--aXY=--dGFn"}');
        CREATE TABLE decidim_users (id int PRIMARY KEY, email text, avatar bytea);
        INSERT INTO decidim_users SELECT g, 'u' || g || '@example.org', decode(md5(g::text), 'hex') FROM generate_series(1, 5000) g;`, pgDb);

    maria(`CREATE USER '${myUser}'@'localhost' IDENTIFIED BY '${dbPassword}';`);
    fillMaria(myDb);
    maria(`GRANT ALL ON \`${myDb}\`.* TO '${myUser}'@'localhost'; GRANT SELECT ON mysql.proc TO '${myUser}'@'localhost';`);
    put(mauticRoot, 'config/local.php', `<?php\n$parameters = array(\n\t'db_driver' => 'pdo_mysql',\n\t'db_host' => 'localhost',\n\t'db_port' => '3306',\n\t'db_name' => '${myDb}',\n\t'db_user' => '${myUser}',\n\t'db_password' => '${dbPassword}',\n\t'db_table_prefix' => null,\n\t'secret_key' => '${mauticKey}',\n\t'site_url' => 'https://mautic.example.org',\n);\n`);
    put(mauticRoot, 'media/images/header.png', upload.subarray(0, 5000));
    put(mauticRoot, 'media/files/brochure.pdf', Buffer.from('%PDF-1.4 brochure'));

    writeConfig(cfg, {
      portal: { ...portal, body: `preset: decidim\nroot: ${decidimRoot}` },
      mautic: { ...mautic, body: `preset: mautic\nroot: ${mauticRoot}` },
    });
    expectExit(run(['config', 'check']), 0);
    expectExit(run(['init', '--app', 'portal']), 0);
    expectExit(run(['init', '--app', 'mautic']), 0);
  });

  test('Decidim: one command backs up database, storage, uploads and keys; restore brings all back', () => {
    const b = lastJson<{ apps: { databases: unknown[]; files: string[]; secrets: string[] }[] }>(expectExit(run(['backup', '--app', 'portal', '--json']), 0)).apps[0]!;
    assert.deepEqual(b.databases, [{ engine: 'postgres', database: pgDb }]);
    assert.deepEqual(b.files, [join(decidimRoot, 'storage'), join(decidimRoot, 'public/uploads')]);
    assert.deepEqual(b.secrets, ['SECRET_KEY_BASE', '.env', 'master.key', 'credentials.yml.enc']);

    const target = tmp.join('restore-portal');
    expectExit(run(['restore', '--app', 'portal', '--target', target]), 0);
    assert.deepEqual(readFileSync(join(target, decidimRoot, 'storage/ab/cd/abcd1234')), upload);
    assert.equal(readFileSync(join(target, decidimRoot, 'public/uploads/decidim/organization/logo.png'), 'utf8'), 'PNG-old-upload');
    assert.ok(!existsSync(join(target, decidimRoot, 'app')), 'only what the preset selected is backed up');
    assert.equal(readFileSync(join(target, 'secrets/values/SECRET_KEY_BASE'), 'utf8'), secretKeyBase);
    assert.equal(readFileSync(join(target, 'secrets/files', decidimRoot, 'config/master.key'), 'utf8'), masterKey);
    const inv = JSON.parse(readFileSync(join(target, 'secrets/keys.json'), 'utf8')) as { keys: { name: string; kind: string; source: string; fingerprint: string; path: string }[] };
    assert.deepEqual(inv.keys.map((k) => [k.name, k.kind, k.source]), [
      ['SECRET_KEY_BASE', 'value', `${decidimRoot}/.env#SECRET_KEY_BASE`],
      ['.env', 'file', `${decidimRoot}/.env`],
      ['master.key', 'file', `${decidimRoot}/config/master.key`],
      ['credentials.yml.enc', 'file', `${decidimRoot}/config/credentials.yml.enc`],
    ]);
    for (const k of inv.keys) assert.match(k.fingerprint, /^[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(join(target, 'lifeboat/app.json'), 'utf8'));
    assert.deepEqual(manifest, { version: 1, app: 'portal', preset: 'decidim', root: decidimRoot, sources: [{ kind: 'postgres', database: pgDb }, { kind: 'files', paths: b.files }, { kind: 'secrets', names: b.secrets }] });
    assert.ok(!existsSync(join(target, 'databases')), 'dumps are restored with --database, not as files by default');

    expectExit(run(['restore', '--app', 'portal', '--snapshot', 'latest', '--database', pgDb, '--into', `${PG_URL}/${pgDb}_r`]), 0);
    assert.deepEqual(pgSums(`${pgDb}_r`), pgSums(pgDb));
  });

  test('Mautic: local.php credentials and secret_key, media, MariaDB; the password never on a command line', async () => {
    const watch = new ArgvWatch();
    watch.start();
    const child = lifeboatSpawn({}, ['-c', cfg, 'backup', '--app', 'mautic', '--json'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const [code] = await once(child, 'exit');
    watch.stop();
    keep({ status: code as number, signal: null, stdout, stderr, what: 'backup --app mautic' });
    assert.equal(code, 0, `${stderr}\n${stdout}`);
    const b = (JSON.parse(stdout) as { apps: { databases: unknown[]; files: string[]; secrets: string[] }[] }).apps[0]!;
    assert.deepEqual(b.databases, [{ engine: 'mysql', database: myDb }]);
    assert.deepEqual(b.files, [join(mauticRoot, 'media'), join(mauticRoot, 'config')]);
    assert.deepEqual(b.secrets, ['local.php', 'secret_key']);
    const ours = [...watch.seen].filter((a) => a.includes('--defaults-extra-file='));
    assert.ok(ours.length > 0, 'the sampler saw none of the database tools run');
    assert.deepEqual(watch.leaks([dbPassword, mauticKey]), []);
    for (const a of ours) assert.ok(!existsSync(/--defaults-extra-file=(\S+)/.exec(a)![1]!), 'the password option file is removed after use');

    const target = tmp.join('restore-mautic');
    expectExit(run(['restore', '--app', 'mautic', '--target', target]), 0);
    assert.equal(readFileSync(join(target, 'secrets/values/secret_key'), 'utf8'), mauticKey);
    assert.equal(readFileSync(join(target, 'secrets/files', mauticRoot, 'config/local.php'), 'utf8'), readFileSync(join(mauticRoot, 'config/local.php'), 'utf8'));
    assert.deepEqual(readFileSync(join(target, mauticRoot, 'media/images/header.png')), upload.subarray(0, 5000));
    assert.equal(readFileSync(join(target, mauticRoot, 'config/local.php'), 'utf8'), readFileSync(join(mauticRoot, 'config/local.php'), 'utf8'));
    expectExit(run(['restore', '--app', 'mautic', '--database', myDb, '--into', `mysql://root@localhost/${myDb}_r`]), 0);
    assert.deepEqual(mariaSums(`${myDb}_r`), mariaSums(myDb));
  });

  test('backup with no app named backs up every app; apps lists them with their last snapshot; no secret value in any output', () => {
    const all = lastJson<{ apps: { app: string; snapshotId: string; parent?: string }[] }>(expectExit(run(['backup', '--json']), 0)).apps;
    assert.deepEqual(all.map((a) => a.app), ['portal', 'mautic']);
    assert.ok(all.every((a) => a.parent !== undefined), 'the second snapshot of each app has the first as parent');
    const list = JSON.parse(expectExit(run(['apps', '--json']), 0).stdout) as { app: string; snapshots: number; last?: { id: string } }[];
    assert.deepEqual(list.map((a) => [a.app, a.snapshots, a.last?.id]), [['portal', 2, all[0]!.snapshotId], ['mautic', 2, all[1]!.snapshotId]]);
    keep(expectExit(run(['apps']), 0));
    for (const r of outputs) {
      for (const s of [secretKeyBase, masterKey, mauticKey, dbPassword]) {
        assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `a secret appeared in the output of ${show(r)}`);
      }
    }
  });
});
