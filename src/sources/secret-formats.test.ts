import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbDamage, damage } from '../lib/damage.test-util.js';
import { LifeboatError } from '../errors/index.js';
import { formatDotEnvLine, parseDotEnv } from './dotenv.js';
import { parsePhpConfig, phpLiteral, phpLookup, type PhpArray, type PhpValue } from './php-array.js';
import { lookupSecret } from './secret-lookup.js';

const MAUTIC_LOCAL = `<?php
// Mautic 5 local config
$parameters = array(
	'db_driver' => 'pdo_mysql',
	'db_host' => '127.0.0.1',
	'db_port' => 3306,
	'db_name' => 'mautic',
	'db_user' => 'mautic',
	'db_password' => 'p\\'w"d', # a comment
	'db_table_prefix' => null,
	'secret_key' => '4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99',
	'mailer_dsn' => 'smtp://localhost:25',
	'api_enabled' => true,
);
`;

const NEXTCLOUD_CONFIG = `<?php
$CONFIG = array (
  'instanceid' => 'ocw2xq1c4v7b',
  'passwordsalt' => 'Zk3/salt+value',
  'secret' => "s3cr3t-with-\\"quote",
  'trusted_domains' =>
  array (
    0 => 'localhost',
    1 => 'cloud.example.org',
  ),
  'datadirectory' => '/var/www/nextcloud/data',
  'dbtype' => 'pgsql',
  'dbhost' => 'localhost:5432',
  'redis' => ['host' => '/run/redis.sock', 'port' => 0],
);
`;

test('.env: export, comments, quotes, escapes, later keys win', () => {
  const env = parseDotEnv(`# comment\nexport A=1\nB = two words # note\nC='lit $x \\n'\nD="a\\nb\\"c"\nE=\nA=3\nnot a line\nF="multi\nline"\n`);
  assert.equal(env.get('A'), '3');
  assert.equal(env.get('B'), 'two words');
  assert.equal(env.get('C'), 'lit $x \\n');
  assert.equal(env.get('D'), 'a\nb"c');
  assert.equal(env.get('E'), '');
  assert.equal(env.get('F'), 'multi\nline');
  assert.throws(() => parseDotEnv('K="unterminated secretvalue\n', '/srv/.env'), (e) => e instanceof LifeboatError && e.code === 'INVALID_DATA' && !e.message.includes('secretvalue'));
});

test('property: formatDotEnvLine and parseDotEnv are inverse', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(key, fc.string()), { selector: ([k]) => k }), (pairs) => {
      const text = pairs.map(([k, v]) => formatDotEnvLine(k, v)).join('\n');
      assert.deepEqual([...parseDotEnv(text)], pairs);
    }),
  );
});

test('PHP config arrays of Mautic and Nextcloud', () => {
  const m = parsePhpConfig(MAUTIC_LOCAL, 'local.php');
  assert.equal(m.get('db_password'), 'p\'w"d');
  assert.equal(m.get('db_port'), 3306);
  assert.equal(m.get('db_table_prefix'), null);
  assert.equal(m.get('api_enabled'), true);
  assert.equal(lookupSecret(MAUTIC_LOCAL, 'php', 'secret_key', 'local.php'), '4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99');
  const n = parsePhpConfig(NEXTCLOUD_CONFIG, 'config.php');
  assert.equal(n.get('secret'), 's3cr3t-with-"quote');
  assert.equal(phpLookup(n, 'trusted_domains.1'), 'cloud.example.org');
  assert.equal(phpLookup(n, 'redis.host'), '/run/redis.sock');
  assert.equal(parsePhpConfig("<?php\nreturn ['a' => 'b', 'c'];").get('0'), 'c');
});

test('PHP: computed values and broken files give INVALID_DATA naming the file, not a value', () => {
  for (const bad of ["<?php $p = array('k' => getenv('SECRETX'));", "<?php $p = array('k' => 'unterminated", '<?php echo 1;', "<?php $p = ['k' => \"x$secretvar\"];"]) {
    assert.throws(() => parsePhpConfig(bad, '/srv/local.php'), (e) => e instanceof LifeboatError && e.code === 'INVALID_DATA' && e.message.startsWith('/srv/local.php:') && !/SECRETX|secretvar/.test(e.message));
  }
});

const phpValue: fc.Arbitrary<PhpValue> = fc.letrec<{ v: PhpValue; arr: PhpArray }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), tie('arr')),
  arr: fc.array(fc.tuple(fc.oneof(fc.string(), fc.nat().map(String)), tie('v')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
})).v;

test('property: phpLiteral and parsePhpConfig are inverse', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string(), phpValue), { maxLength: 5 }), (pairs) => {
      const arr: PhpArray = new Map(pairs);
      assert.deepEqual(parsePhpConfig(`<?php\n$CONFIG = ${phpLiteral(arr)};\n`), arr);
    }),
  );
});

test('property: damaged PHP, .env and YAML give a value, undefined or INVALID_DATA, never a crash', () => {
  const bytes = new TextEncoder().encode(MAUTIC_LOCAL);
  fc.assert(
    fc.property(arbDamage, fc.constantFrom('php', 'env', 'yaml' as const), (edits, format) => {
      const text = Buffer.from(damage(bytes, edits)).toString('utf8');
      try {
        const v = lookupSecret(text, format, 'secret_key', 'f');
        assert.ok(v === undefined || typeof v === 'string');
      } catch (e) {
        assert.ok(e instanceof LifeboatError && e.code === 'INVALID_DATA', String(e));
      }
    }),
    { numRuns: 400 },
  );
});

test('YAML paths (Rails secrets.yml style), anchors merged', () => {
  const y = 'default: &d\n  secret_key_base: abc\nproduction:\n  <<: *d\n  other: { nested: 42 }\n';
  assert.equal(lookupSecret(y, 'yaml', 'production.secret_key_base', 's.yml'), 'abc');
  assert.equal(lookupSecret(y, 'yaml', 'production.other.nested', 's.yml'), '42');
  assert.equal(lookupSecret(y, 'yaml', 'production.missing', 's.yml'), undefined);
});
