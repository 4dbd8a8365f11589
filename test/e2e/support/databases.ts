// Helpers for e2e tests against the real PostgreSQL (127.0.0.1:5432, trust, user postgres)
// and MariaDB (root through the socket) of the machine. Database names start with lb_apps_.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432';
export const MARIADB_SOCKET = '/run/mysqld/mysqld.sock';

/** A fresh database name, unique per run, with the branch prefix. */
export function dbName(what: string): string {
  return `lb_apps_${what}_${randomBytes(3).toString('hex')}`;
}

export function pg(sql: string, db = 'postgres'): string {
  const r = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db], { input: sql, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function maria(sql: string, db?: string): string {
  const r = spawnSync('mariadb', ['-uroot', '--batch', '--skip-column-names', ...(db ? [`--database=${db}`] : [])], { input: sql, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `mariadb failed: ${r.stderr}`);
  return r.stdout.trim();
}

export function dropPg(...names: string[]): void {
  for (const n of names) pg(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE);`);
}

export function dropMaria(...names: string[]): void {
  for (const n of names) maria(`DROP DATABASE IF EXISTS \`${n}\`;`);
}

/** Several tables, 100,000+ rows, bytea (with every byte value) and jsonb, a foreign key, a view and a function. */
export function fillPg(db: string): void {
  pg(`CREATE DATABASE "${db}";`);
  pg(`
    CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, avatar bytea, profile jsonb);
    INSERT INTO users SELECT g, 'user ' || g || ' ünïcødé ' || md5(g::text), decode(md5(g::text) || '00ff7f80', 'hex') || int4send(g), jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 7), 'nested', jsonb_build_object('x', g::float / 3)) FROM generate_series(1, 100000) g;
    CREATE TABLE orders (id bigserial PRIMARY KEY, user_id int REFERENCES users(id), total numeric(12,2), note text);
    INSERT INTO orders (user_id, total, note) SELECT 1 + g % 100000, g * 1.25, CASE WHEN g % 5 = 0 THEN NULL ELSE E'line\\ttab\\nnewline ' || g END FROM generate_series(1, 30000) g;
    CREATE SCHEMA extra;
    CREATE TABLE extra.blobs (id int PRIMARY KEY, data bytea);
    INSERT INTO extra.blobs SELECT g, decode(repeat(md5(g::text), 64), 'hex') FROM generate_series(1, 500) g;
    CREATE VIEW big_spenders AS SELECT user_id, sum(total) FROM orders GROUP BY user_id;
    CREATE FUNCTION add1(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1';
  `, db);
}

/** name → "rows:md5 of every row in order", for every table of a PostgreSQL database. */
export function pgSums(db: string): Record<string, string> {
  const tables = pg(`SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1;`, db).split('\n').filter((l) => l);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const [schema, name] = t.split('.');
    out[t] = pg(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '') FROM "${schema}"."${name}" x;`, db);
  }
  return out;
}

export function fillMaria(db: string): void {
  maria(`CREATE DATABASE \`${db}\`;`);
  maria(`
    CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL, avatar VARBINARY(64), profile JSON) ENGINE=InnoDB;
    INSERT INTO users SELECT seq, CONCAT('user ', seq, ' ünïcødé ', MD5(seq)), CONCAT(UNHEX(MD5(seq)), UNHEX('00FF7F80'), CHAR(seq % 256)), JSON_OBJECT('n', seq, 'tags', JSON_ARRAY('a', seq % 7)) FROM seq_1_to_100000;
    CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id INT, total DECIMAL(12,2), note TEXT, FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB;
    INSERT INTO orders (user_id, total, note) SELECT 1 + seq % 100000, seq * 1.25, IF(seq % 5 = 0, NULL, CONCAT('line\\ttab\\nnewline ', seq)) FROM seq_1_to_30000;
    CREATE TABLE blobs (id INT PRIMARY KEY, data LONGBLOB) ENGINE=InnoDB;
    INSERT INTO blobs SELECT seq, UNHEX(REPEAT(MD5(seq), 64)) FROM seq_1_to_500;
    CREATE VIEW big_spenders AS SELECT user_id, SUM(total) AS s FROM orders GROUP BY user_id;
    CREATE FUNCTION add1(i INT) RETURNS INT DETERMINISTIC RETURN i + 1;
    CREATE TRIGGER orders_note BEFORE INSERT ON orders FOR EACH ROW SET NEW.note = COALESCE(NEW.note, '');
  `, db);
}

/** name → "rows:checksum" for every base table of a MariaDB database. */
export function mariaSums(db: string): Record<string, string> {
  const tables = maria(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${db}' AND table_type = 'BASE TABLE' ORDER BY 1;`).split('\n').filter((l) => l);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const rows = maria(`SELECT COUNT(*) FROM \`${t}\`;`, db);
    const sum = maria(`CHECKSUM TABLE \`${t}\` EXTENDED;`, db).split('\t')[1];
    const content = maria(`SELECT SUM(CAST(CONV(SUBSTR(MD5(CONCAT_WS('|', ${t === 'users' ? 'id, name, HEX(avatar), profile' : t === 'orders' ? "id, user_id, total, IFNULL(note, '~')" : 'id, HEX(data)'})), 1, 12), 16, 10) AS UNSIGNED)) FROM \`${t}\`;`, db);
    out[t] = `${rows}:${sum}:${content}`;
  }
  return out;
}

/** A lifeboat.yaml with one location per app, written to `file`. */
export function writeConfig(file: string, apps: Record<string, { repo: string; passwordFile: string; body: string }>): void {
  const loc = Object.entries(apps).map(([n, a]) => `  ${n}: { url: ${a.repo}, password_file: ${a.passwordFile} }`).join('\n');
  const app = Object.entries(apps).map(([n, a]) => `  ${n}:\n${a.body.replace(/^/gm, '    ')}\n    locations: [${n}]`).join('\n');
  writeFileSync(file, `locations:\n${loc}\napps:\n${app}\n`);
}
