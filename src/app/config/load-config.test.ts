import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbDamage, damage } from '../../lib/damage.test-util.js';
import { isLifeboatError } from '../../errors/index.js';
import { configTemplate } from './config-templates.js';
import { PRESETS, formatConfigProblem, type ConfigProblem } from './config-types.js';
import { escapeInterpolation, interpolate } from './interpolate.js';
import { findConfigFile, loadConfig, parseConfig } from './load-config.js';

const FILE = '/etc/lifeboat/lifeboat.yaml';
const ISSUE_EXAMPLE = `locations:
  local:
    url: /var/backups/lifeboat/portal
    password_file: /etc/lifeboat/portal.pass
apps:
  portal:
    preset: decidim
    root: /srv/decidim
    sources:
      - postgres: { url: "postgres://decidim@localhost/decidim_production", password_file: /etc/lifeboat/pg.pass }
      - files: { paths: [/srv/decidim/public/uploads], exclude: ["*.tmp"] }
      - secrets: { files: [/srv/decidim/.env] }
    locations: [local]
`;

function problems(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  const r = parseConfig(text, FILE, env);
  assert.equal(r.ok, false, 'expected problems');
  return r.ok ? [] : [...r.problems];
}

function only(text: string, env: Record<string, string> = {}): string {
  const p = problems(text, env);
  assert.equal(p.length, 1, p.map(formatConfigProblem).join('\n'));
  return formatConfigProblem(p[0]!);
}

test('the example of the issue reads into the typed config', () => {
  const r = parseConfig(ISSUE_EXAMPLE, FILE, {});
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatConfigProblem).join('\n'));
  assert.deepEqual(r.config.locations, { local: { url: '/var/backups/lifeboat/portal', passwordFile: '/etc/lifeboat/portal.pass' } });
  const app = r.config.apps['portal']!;
  assert.equal(app.preset, 'decidim');
  assert.equal(app.root, '/srv/decidim');
  assert.deepEqual(app.locations, ['local']);
  assert.deepEqual(app.sources, [
    { kind: 'postgres', url: 'postgres://decidim@localhost/decidim_production', passwordFile: '/etc/lifeboat/pg.pass' },
    { kind: 'files', paths: ['/srv/decidim/public/uploads'], exclude: ['*.tmp'] },
    { kind: 'secrets', files: ['/srv/decidim/.env'] },
  ]);
});

test('mariadb: is another name of mysql; socket and globals are read', () => {
  const r = parseConfig(ISSUE_EXAMPLE.replace('- files: { paths: [/srv/decidim/public/uploads], exclude: ["*.tmp"] }', '- mariadb: { socket: /run/mysqld/mysqld.sock, user: root, database: all }').replace('password_file: /etc/lifeboat/pg.pass', 'password_file: /etc/lifeboat/pg.pass, globals: true'), FILE, {});
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatConfigProblem).join('\n'));
  assert.deepEqual(r.config.apps['portal']!.sources[1], { kind: 'mysql', socket: '/run/mysqld/mysqld.sock', user: 'root', database: 'all' });
  assert.equal((r.config.apps['portal']!.sources[0] as { globals?: boolean }).globals, true);
});

test('every preset template is valid as written', () => {
  for (const preset of PRESETS) {
    const r = parseConfig(configTemplate(preset), FILE, {});
    assert.ok(r.ok, `${preset}: ${r.ok ? '' : r.problems.map(formatConfigProblem).join('\n')}`);
    const app = Object.values(r.config.apps)[0]!;
    assert.equal(app.preset, preset);
  }
});

test('malformed YAML: file, line and column of the mistake', () => {
  const msg = only('locations:\n  local:\n    url: [unclosed\napps: {}\n');
  assert.match(msg, /^\/etc\/lifeboat\/lifeboat\.yaml:\d+:\d+: not valid YAML: /);
});

test('an unknown field is named with its path, its position and a suggestion', () => {
  const msg = only(ISSUE_EXAMPLE.replace('    preset: decidim', '    presett: decidim'));
  assert.equal(msg, `${FILE}:7:5: apps.portal.presett: unknown field "presett"; did you mean "preset"?`);
  const far = only(ISSUE_EXAMPLE.replace('    root: /srv/decidim', '    root: /srv/decidim\n    colour: blue'));
  assert.match(far, /:9:5: apps\.portal\.colour: unknown field "colour"; expected one of: preset, root, sources, locations, ignore, schedule, keep, guard, probes$/);
});

test('an unknown preset lists the known ones or suggests the closest', () => {
  assert.match(only(ISSUE_EXAMPLE.replace('preset: decidim', 'preset: decidm')), /:7:13: apps\.portal\.preset: unknown preset "decidm"; did you mean "decidim"\?$/);
  assert.match(only(ISSUE_EXAMPLE.replace('preset: decidim', 'preset: wordpress')), /unknown preset "wordpress"; expected one of: decidim, mautic, rails, laravel, nextcloud, generic$/);
});

test('wrong types, missing fields and unknown locations each say what is expected', () => {
  assert.match(only(ISSUE_EXAMPLE.replace('locations: [local]', 'locations: [offsite]')), /apps\.portal\.locations: unknown location "offsite"; expected one of: local$/);
  assert.match(only(ISSUE_EXAMPLE.replace('    url: /var/backups/lifeboat/portal\n', '')), /:2:3: locations\.local\.url: missing; expected a repository location/);
  assert.match(only(ISSUE_EXAMPLE.replace('exclude: ["*.tmp"]', 'exclude: "*.tmp"')), /apps\.portal\.sources\[1\]\.files\.exclude: expected a list of patterns, got a string$/);
  assert.match(only(ISSUE_EXAMPLE.replace('- secrets: { files: [/srv/decidim/.env] }', '- secret: { files: [/srv/decidim/.env] }')), /apps\.portal\.sources\[2\]\.secret: unknown source kind "secret"; did you mean "secrets"\?$/);
  assert.match(only(ISSUE_EXAMPLE.replace('url: "postgres://decidim@localhost/decidim_production"', 'url: "postgres://decidim@localhost/x", port: 99999')), /port: expected a whole number from 1 to 65535, got 99999$/);
});

test('an inline password is refused without repeating it', () => {
  const secret = 'hunter2-very-secret';
  const all = [
    ...problems(ISSUE_EXAMPLE.replace('password_file: /etc/lifeboat/pg.pass', `password: ${secret}`)),
    ...problems(ISSUE_EXAMPLE.replace('postgres://decidim@localhost', `postgres://decidim:${secret}@localhost`)),
    ...problems(ISSUE_EXAMPLE.replace('    password_file: /etc/lifeboat/portal.pass', `    password: "${secret}"`)),
  ].map(formatConfigProblem);
  assert.equal(all.length, 4, all.join('\n')); // the location also misses a password source
  for (const m of all) assert.ok(!m.includes(secret), m);
  assert.match(all[0]!, /sources\[0\]\.postgres\.password: inline passwords and secrets are not accepted/);
  assert.match(all[1]!, /the URL contains a password; remove it and use password_file or password_env/);
});

test('${VAR} is interpolated; an unset one is named, and a value from the environment may hold a password', () => {
  const text = ISSUE_EXAMPLE.replace('/var/backups/lifeboat/portal', '${BACKUPS}/portal').replace('"postgres://decidim@localhost/decidim_production"', '"${DATABASE_URL}"');
  const r = parseConfig(text, FILE, { BACKUPS: '/mnt/b', DATABASE_URL: 'postgres://u:pw@h/db' });
  assert.ok(r.ok);
  assert.equal(r.config.locations['local']!.url, '/mnt/b/portal');
  assert.equal((r.config.apps['portal']!.sources[0] as { url: string }).url, 'postgres://u:pw@h/db');
  assert.match(only(text, { DATABASE_URL: 'postgres://h/db' }), /locations\.local\.url: environment variable BACKUPS is not set/);
});

test('relative paths: app files against the root, password files and repositories against the config folder', () => {
  const text = ISSUE_EXAMPLE.replace('[/srv/decidim/public/uploads]', '[public/uploads]').replace('/etc/lifeboat/portal.pass', 'portal.pass').replace('/var/backups/lifeboat/portal', 'repos/portal');
  const r = parseConfig(text, '/opt/lb/lifeboat.yaml', {});
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatConfigProblem).join('\n'));
  assert.equal(r.config.locations['local']!.url, '/opt/lb/repos/portal');
  assert.equal(r.config.locations['local']!.passwordFile, '/opt/lb/portal.pass');
  assert.deepEqual((r.config.apps['portal']!.sources[1] as unknown as { paths: string[] }).paths, ['/srv/decidim/public/uploads']);
});

test('several mistakes are all reported, in file order', () => {
  const p = problems(ISSUE_EXAMPLE.replace('preset: decidim', 'preset: nope').replace('locations: [local]', 'locations: [elsewhere]'));
  assert.equal(p.length, 2);
  assert.ok(p[0]!.line < p[1]!.line);
});

test('property: damaged configs give problems, never a crash', () => {
  const valid = new TextEncoder().encode(ISSUE_EXAMPLE);
  fc.assert(
    fc.property(arbDamage, (edits) => {
      const text = Buffer.from(damage(valid, edits)).toString('utf8');
      const r = parseConfig(text, FILE, {});
      if (!r.ok) for (const p of r.problems) assert.ok(p.line >= 1 && p.column >= 1 && !p.message.includes('\n'));
    }),
    { numRuns: 300 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void parseConfig(text, FILE, {})), { numRuns: 300 });
});

test('property: escapeInterpolation and interpolate are inverse', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      const r = interpolate(escapeInterpolation(s), {});
      assert.ok(r.ok);
      assert.equal(r.value, s);
    }),
  );
});

test('look-up: -c FILE, then the working directory, then the system folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-apps-config-'));
  try {
    const cwd = join(dir, 'cwd');
    const sys = join(dir, 'etc');
    mkdirSync(cwd);
    mkdirSync(sys);
    assert.throws(() => findConfigFile({ cwd, env: {}, systemDir: sys }), (e) => isLifeboatError(e, 'CONFIG_NOT_FOUND'));
    writeFileSync(join(sys, 'lifeboat.yaml'), ISSUE_EXAMPLE);
    assert.equal(findConfigFile({ cwd, env: {}, systemDir: sys }), join(sys, 'lifeboat.yaml'));
    writeFileSync(join(cwd, 'lifeboat.yaml'), 'apps: [');
    assert.equal(findConfigFile({ cwd, env: {}, systemDir: sys }), join(cwd, 'lifeboat.yaml'));
    assert.equal(findConfigFile({ cwd, env: {}, systemDir: sys, file: '../etc/lifeboat.yaml' }), join(sys, 'lifeboat.yaml'));
    assert.throws(() => findConfigFile({ cwd, env: {}, file: 'missing.yaml' }), (e) => isLifeboatError(e, 'CONFIG_NOT_FOUND'));
    assert.throws(() => loadConfig({ cwd, env: {}, systemDir: sys }), (e) => isLifeboatError(e, 'CONFIG_INVALID') && /lifeboat\.yaml:1:\d+: not valid YAML/.test(e.message));
    assert.equal(loadConfig({ cwd, env: {}, systemDir: sys, file: join(sys, 'lifeboat.yaml') }).config.apps['portal']!.preset, 'decidim');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
