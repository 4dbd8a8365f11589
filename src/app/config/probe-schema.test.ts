import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigProblem } from './config-types.js';
import { parseConfig } from './load-config.js';

const FILE = '/etc/lifeboat/lifeboat.yaml';
const head = `locations:\n  local: { url: /var/backups/portal, password_file: /etc/lifeboat/portal.pass }\napps:\n  portal:\n    preset: decidim\n    root: /srv/decidim\n    locations: [local]\n`;

test('guard thresholds and generic probes are read from an app', () => {
  const r = parseConfig(`${head}    guard: { max_age_hours: 6, min_locations: 1, drill_max_age_days: 2 }\n    probes:\n      - { name: votes, format: decidim-personal-metadata, key: SECRET_KEY_BASE, engine: postgres, sql: "SELECT encrypted_metadata FROM decidim_initiatives_votes" }\n      - { name: logo, format: active-storage-signed-id, key: SECRET_KEY_BASE, values: ["/rails/active_storage/blobs/redirect/x--0000000000000000000000000000000000000000/a.png"] }\n      - { name: creds, format: rails-credentials, key: master.key, file: config/credentials.yml.enc }\n`, FILE, {});
  assert.ok(r.ok, r.ok ? '' : r.problems.map(formatConfigProblem).join('\n'));
  const app = r.config.apps['portal']!;
  assert.deepEqual(app.guard, { maxAgeHours: 6, minLocations: 1, drillMaxAgeDays: 2 });
  assert.deepEqual(app.probes?.map((p) => [p.name, p.format, p.keys, p.samples.kind]), [
    ['votes', 'decidim-personal-metadata', ['SECRET_KEY_BASE'], 'sql'],
    ['logo', 'active-storage-signed-id', ['SECRET_KEY_BASE'], 'values'],
    ['creds', 'rails-credentials', ['master.key'], 'file'],
  ]);
});

test('mistakes in probes and guard are reported with their place', () => {
  const cases: [string, RegExp][] = [
    [`    probes:\n      - { name: x, format: rot13, key: K, values: [a] }\n`, /probes\[0\]\.format: unknown format "rot13"/],
    [`    probes:\n      - { name: x, format: laravel, key: K, sql: "SELECT 1" }\n`, /an sql probe needs engine/],
    [`    probes:\n      - { name: x, format: laravel, key: K }\n`, /expected exactly one of sql, file, values/],
    [`    guard: { min_locations: 0 }\n`, /guard\.min_locations/],
    [`    guard: { max_age: 3 }\n`, /unknown field "max_age"/],
  ];
  for (const [yaml, re] of cases) {
    const r = parseConfig(head + yaml, FILE, {});
    assert.equal(r.ok, false, yaml);
    if (!r.ok) assert.match(r.problems.map(formatConfigProblem).join('\n'), re);
  }
});
