import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkPrefix, deadLeftovers, hostTag, parseScratchName, scratchName } from './scratch-names.js';
import { throwsCode } from '../../repo/repo-fixtures.test-util.js';

const P = 'lb_proof_drill_';

test('names round-trip through parse and fit both engines', () => {
  fc.assert(
    fc.property(fc.string(), fc.integer({ min: 1, max: 4_194_304 }), fc.stringMatching(/^[0-9a-z]{8}$/), (host, pid, rnd) => {
      const owner = { hostTag: hostTag(host), pid };
      const name = scratchName(P, owner, rnd);
      assert.ok(name.length <= 63 && /^[a-z0-9_]+$/.test(name), name);
      assert.deepEqual(parseScratchName(P, name), owner);
    }),
  );
});

test('only dead drills of this host are leftovers; foreign and odd names are never touched', () => {
  const me = hostTag('this-host');
  const other = hostTag('other-host');
  const names = [
    scratchName(P, { hostTag: me, pid: 100 }, 'aaaaaaaa'),
    scratchName(P, { hostTag: me, pid: 200 }, 'bbbbbbbb'),
    scratchName(P, { hostTag: other, pid: 100 }, 'cccccccc'),
    `${P}${me}_100_aaaaaaaa_extra`,
    `${P}${me}_100`,
    'lifeboat_drill_' + `${me}_100_dddddddd`,
    'customers',
  ];
  assert.deepEqual(deadLeftovers(P, names, me, (pid) => pid === 200), [names[0]]);
});

test('prefixes must be safe identifiers', () => {
  checkPrefix('lifeboat_drill_');
  for (const bad of ['', 'x', 'Drill_', 'a-b_', 'a;drop_', 'a'.repeat(30) + '_']) throwsCode(() => checkPrefix(bad), 'INVALID_ARGUMENT');
});
