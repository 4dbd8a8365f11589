import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archiver } from '../../archiver/index.js';
import { decidimEncrypt, decidimKey, marshalString } from '../../apps/probes/index.js';
import { goTimeFromDate } from '../../model/index.js';
import { BlobWorkerPool, RepoWriter, type Repository } from '../../repo/index.js';
import { initTestRepo } from '../../repo/repo-fixtures.test-util.js';
import { bytesFile, jsonBytes, keyFingerprint, nodeProcessRunner, type VirtualFile } from '../../sources/index.js';
import type { Environment } from '../environment.js';
import { runDrill } from './run-drill.js';

// Unique per run: another checkout's test run on the same server must not look like our leftovers.
const PREFIX = `lb_proof_unit_${randomBytes(3).toString('hex')}_`;
const psql = (db: string, sql: string): string => {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-f', '-'], { input: sql, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};
const env: Environment = {
  env: process.env, cwd: '/', pid: process.pid, uid: 1000, gid: 1000, hostname: 'unit-host', username: 'tester', stdinIsTTY: false, stderrIsTTY: false,
  isProcessAlive: (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } },
  stdin: () => (async function* () {})(),
};

/** Saves a snapshot whose root holds exactly these virtual files, tagged app:portal. */
async function saveLayout(repo: Repository, files: readonly VirtualFile[]): Promise<string> {
  await repo.loadIndex();
  const pool = new BlobWorkerPool(repo.key, 1);
  try {
    const writer = new RepoWriter(repo, { pool, compression: 'auto' });
    const time = goTimeFromDate(new Date());
    const a = new Archiver(repo, writer, { paths: [], excludes: [], virtualFiles: files, hostname: 'unit-host', username: 'tester', uid: 0, gid: 0, tags: ['app:portal'], time });
    const r = await a.run();
    await writer.flush();
    return repo.saveSnapshot({ time, tree: r.tree, paths: ['/databases', '/lifeboat', '/secrets'], hostname: 'unit-host', tags: ['app:portal'] });
  } finally {
    await pool.close();
  }
}

test('drills of hand-made snapshots: passes when all holds, and names each thing that does not', async (t) => {
  const db = `${PREFIX}${randomBytes(4).toString('hex')}`;
  const skb = randomBytes(64).toString('hex');
  psql('postgres', `CREATE DATABASE ${db}`);
  t.after(() => void psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
  const value = decidimEncrypt(decidimKey(skb, 'sha256'), marshalString('smtp'));
  psql(db, `CREATE TABLE decidim_organizations (id int, smtp_settings jsonb); INSERT INTO decidim_organizations VALUES (1, jsonb_build_object('encrypted_password', '${value}'));
            CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2), (3);`);
  const dump = spawnSync('pg_dump', ['-Fc', '-h', '127.0.0.1', '-U', 'postgres', db]);
  assert.equal(dump.status, 0, String(dump.stderr));
  const stateDir = mkdtempSync(join(tmpdir(), 'lb-proof-drill-unit-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const repo = await initTestRepo();
  const fp = (v: string) => keyFingerprint(repo.key.encrypt, new TextEncoder().encode(v));
  const layout = (o: { rows?: number; manifest?: boolean; keyValue?: string | null; escrow?: boolean } = {}): VirtualFile[] => [
    bytesFile(`/databases/postgres/${db}.pgdump`, new Uint8Array(dump.stdout)),
    bytesFile(`/databases/postgres/${db}.json`, jsonBytes({ version: 1, engine: 'postgres', database: db, dump: `${db}.pgdump`, serverVersion: '15', toolVersion: 'pg_dump 15', tables: [{ name: 'public.decidim_organizations', rows: 1 }, { name: 'public.t', rows: o.rows ?? 3 }], dumpedAt: '2026-12-01T08:00:00Z' })),
    ...(o.manifest === false ? [] : [bytesFile('/lifeboat/app.json', jsonBytes({ version: 1, app: 'portal', preset: 'decidim', root: null, sources: [{ kind: 'postgres', database: db }, { kind: 'secrets', names: o.escrow === false ? [] : ['SECRET_KEY_BASE'] }] }))]),
    ...(o.escrow === false ? [] : [bytesFile('/secrets/keys.json', jsonBytes({ version: 1, keys: [{ name: 'SECRET_KEY_BASE', kind: 'value', source: '/srv/.env#SECRET_KEY_BASE', fingerprint: fp(o.keyValue ?? skb), path: '/secrets/values/SECRET_KEY_BASE' }] }))]),
    ...(o.escrow === false || o.keyValue === null ? [] : [bytesFile('/secrets/values/SECRET_KEY_BASE', new TextEncoder().encode(o.keyValue ?? skb))]),
  ];
  const drill = async (files: VirtualFile[]) => {
    const id = await saveLayout(repo, files);
    return runDrill({ app: 'portal', location: 'mem', repo, snapshot: id, keep: false, stateDir, prefix: PREFIX, servers: { postgres: { host: '127.0.0.1', user: 'postgres' } }, runner: nodeProcessRunner({ env: process.env }), clock: { now: () => new Date() }, env });
  };

  const good = await drill(layout());
  assert.equal(good.ok, true, good.problems.join('\n'));
  assert.deepEqual(good.databases.map((d) => [d.id, d.ok, d.tables]), [[`postgres/${db}`, true, 2]]);
  assert.deepEqual(good.probes.filter((p) => p.verdict !== 'no-samples').map((p) => [p.name, p.opened, p.failed]), [['decidim_organizations.smtp_settings encrypted_password', 1, 0]]);
  assert.equal(good.files.files, 5);
  assert.equal(good.keysProven, true);
  assert.equal(good.probes.find((p) => p.name === 'decidim_authorizations.metadata')?.note, 'no table decidim_authorizations');

  const rows = await drill(layout({ rows: 4 }));
  assert.equal(rows.ok, false);
  assert.match(rows.problems.join('\n'), new RegExp(`postgres/${db}: 1 table\\(s\\) differ .*public\\.t \\(4 recorded, 3 restored\\)`));

  const wrongKey = await drill(layout({ keyValue: randomBytes(64).toString('hex') }));
  assert.equal(wrongKey.ok, false);
  assert.match(wrongKey.problems.join('\n'), /key SECRET_KEY_BASE does not open 1 of 1 values of decidim_organizations\.smtp_settings/);

  const noKey = await drill(layout({ escrow: false }));
  assert.match(noKey.problems.join('\n'), /key SECRET_KEY_BASE is NOT in snapshot/);
  assert.equal(noKey.keysProven, false);
  assert.match(noKey.problems.join('\n'), /decidim_organizations\.smtp_settings encrypted_password: no SECRET_KEY_BASE to try/);

  const lostValue = await drill(layout({ keyValue: null }));
  assert.match(lostValue.problems.join('\n'), /key SECRET_KEY_BASE is listed in \/secrets\/keys\.json but \/secrets\/values\/SECRET_KEY_BASE is not in the snapshot/);

  const noManifest = await drill(layout({ manifest: false }));
  assert.match(noManifest.problems.join('\n'), /no \/lifeboat\/app\.json: it was not made by "lifeboat backup --app"/);

  for (const r of [good, rows, wrongKey, noKey, lostValue, noManifest]) assert.ok(!JSON.stringify(r).includes(skb), 'no key in a report');
  const left = psql('postgres', `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%' AND datname <> '${db}'`).trim();
  assert.equal(left, '');
  assert.deepEqual(readdirSync(join(stateDir, 'drills')), []);
});
