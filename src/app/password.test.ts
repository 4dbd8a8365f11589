import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLifeboatError } from '../errors/index.js';
import { resolvePassword } from './password.js';
import { testEnvironment } from './test-environment.test-util.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('--password-command: the first line of its output is the password; a failing or silent command is refused', async () => {
  const env = testEnvironment();
  assert.equal(text(await resolvePassword({ passwordCommand: "printf 'secret pw\\nsecond line\\n'" }, env)), 'secret pw');
  assert.equal(text(await resolvePassword({}, testEnvironment({ env: { LIFEBOAT_PASSWORD_COMMAND: 'echo from-env' } }))), 'from-env');
  await assert.rejects(resolvePassword({ passwordCommand: 'exit 3' }, env), (e) => isLifeboatError(e, 'INVALID_ARGUMENT') && /exit 3/.test(e.message));
  await assert.rejects(resolvePassword({ passwordCommand: 'true' }, env), (e) => isLifeboatError(e, 'INVALID_ARGUMENT') && /printed nothing/.test(e.message));
});
