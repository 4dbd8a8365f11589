import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { argumentError, closestOption } from './arg-errors.js';

const OPTIONS = { host: { type: 'string' }, tag: { type: 'string', multiple: true }, target: { type: 'string', short: 't' }, json: { type: 'boolean' } } as const;

function errorOf(args: string[]): string {
  try {
    parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    return argumentError(e, 'snapshots', Object.keys(OPTIONS)).message;
  }
  assert.fail('parseArgs accepted the arguments');
}

test('a mistyped option is named, with the option it was probably meant to be', () => {
  const m = errorOf(['--hots', 'x']);
  assert.equal(m, 'unknown option --hots for "lifeboat snapshots"; did you mean --host? (run "lifeboat snapshots --help" for its options)');
  // node's own text ("To specify a positional argument...", unbalanced quotes) is gone.
  assert.doesNotMatch(m, /positional|'/);
});

test('an option far from every known one gets no guess', () => {
  assert.doesNotMatch(errorOf(['--password-fil3x', 'x']), /did you mean/);
  assert.equal(closestOption('--xyz', ['host', 'tag']), undefined);
  assert.equal(closestOption('--targte', ['host', 'target']), 'target');
});

test('a missing value and a value given to a flag are one short line each', () => {
  assert.equal(errorOf(['--target']), '--target needs a value; run "lifeboat snapshots --help"');
  assert.equal(errorOf(['-t']), '--target needs a value; run "lifeboat snapshots --help"');
  assert.equal(errorOf(['--json=yes']), '--json takes no value; run "lifeboat snapshots --help"');
});
