import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from './authenticated-cipher.js';
import { createKeyFile, encodeKeyFile, openKeyFile, parseKeyFile } from './key-file.js';

// Interoperability with the real restic 0.14 binary, both ways. Passwords reach restic through
// the environment or a file, never argv, where other users of the machine could read them.
const RESTIC = '/usr/bin/restic';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function restic(args: string[], env: Record<string, string>, home: string): { stdout: string; stderr: string } {
  const r = spawnSync(RESTIC, ['--no-cache', ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, TZ: 'UTC', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `restic ${args.join(' ')} failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

test('restic-made key files and config open; our key files open in restic', async () => {
  // Fails, never skips, without restic: this test exists to compare with it (.ci/run installs it).
  assert.ok(existsSync(RESTIC), `restic 0.14 is required at ${RESTIC}: apt-get install restic`);
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-crypto-'));
  try {
    const repo = join(dir, 'repo');
    const initPassword = 'init pässword';
    restic(['init'], { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: initPassword }, dir);

    // restic → Lifeboat: the key file, its exact encoding, and the config it unlocks.
    const [keyName, ...rest] = readdirSync(join(repo, 'keys'));
    assert.ok(keyName !== undefined && rest.length === 0);
    const keyBytes = readFileSync(join(repo, 'keys', keyName));
    assert.equal(keyName, sha256(keyBytes));
    assert.deepEqual(encodeKeyFile(parseKeyFile(keyBytes)), new Uint8Array(keyBytes), 'we write key files exactly as restic does');
    await assert.rejects(openKeyFile(keyBytes, enc('not the password')), { code: 'CIPHERTEXT_VERIFICATION_FAILED' });
    const masterKey = await openKeyFile(keyBytes, enc(initPassword));
    const config = JSON.parse(new TextDecoder().decode(open(masterKey, readFileSync(join(repo, 'config'))))) as Record<string, unknown>;
    assert.equal(config['version'], 2);
    assert.match(String(config['chunker_polynomial']), /^[0-9a-f]+$/);
    assert.match(String(config['id']), /^[0-9a-f]{64}$/);

    // Lifeboat → restic: a new key file for the same master key under another password.
    const newPassword = 'a new password';
    const ours = await createKeyFile({
      password: enc(newPassword),
      masterKey,
      params: { N: 1024, r: 8, p: 1 },
      created: '2026-11-24T15:51:34.134311984Z',
      username: 'lifeboat-test',
      hostname: 'ci<host>',
    });
    const ourId = sha256(ours);
    writeFileSync(join(repo, 'keys', ourId), ours, { mode: 0o400 });
    const pwFile = join(dir, 'password');
    writeFileSync(pwFile, newPassword, { mode: 0o600 });
    // The old key cannot open with the new password, so success proves restic used ours.
    const withOurKey = ['-r', repo, '--password-file', pwFile, '--no-lock', '--key-hint', ourId];
    const shown = JSON.parse(restic([...withOurKey, 'cat', 'config'], {}, dir).stdout) as Record<string, unknown>;
    assert.deepEqual(shown, config);
    const keys = JSON.parse(restic([...withOurKey, 'key', 'list', '--json'], {}, dir).stdout) as Record<string, unknown>[];
    const listed = keys.find((k) => k['current'] === true);
    assert.equal(listed?.['id'], ourId.slice(0, 8));
    assert.equal(listed?.['userName'], 'lifeboat-test');
    assert.equal(listed?.['hostName'], 'ci<host>');
    assert.equal(listed?.['created'], '2026-11-24 15:51:34');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
