import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLifeboatError } from '../errors/index.js';
import { GO_MODE, ST_MODE, fileModeFromStMode, hasModeBit, nodeTypeFromFileMode, stModeFromFileMode } from './file-mode.js';

test('the observed values of the format notes (§8.2)', () => {
  const cases: Array<[number, number, string]> = [
    [0o100644, 420, 'file'],
    [0o040755, 2147484141, 'dir'],
    [0o041777, 2148532735, 'dir'],
    [0o104755, 8389101, 'file'],
    [0o120777, 134218239, 'symlink'],
    [0o010644, 33554852, 'fifo'],
  ];
  for (const [st, go, type] of cases) {
    assert.equal(fileModeFromStMode(st), go);
    assert.equal(stModeFromFileMode(go), st);
    assert.equal(nodeTypeFromFileMode(go), type);
  }
  assert.equal(fileModeFromStMode(0o020620), 2 ** 26 + 2 ** 21 + 0o620);
  assert.equal(nodeTypeFromFileMode(2 ** 26 + 2 ** 21 + 0o620), 'chardev');
  assert.equal(nodeTypeFromFileMode(fileModeFromStMode(0o060660)), 'dev');
  assert.equal(nodeTypeFromFileMode(fileModeFromStMode(0o140755)), 'socket');
  assert.equal(fileModeFromStMode(0o102644), 2 ** 22 + 0o644); // setgid
  assert.equal(stModeFromFileMode(2148532735) & 0o7777, 0o1777); // what chmod gets
});

test('odd modes', () => {
  assert.equal(nodeTypeFromFileMode(GO_MODE.irregular + 0o644), 'irregular');
  assert.equal(nodeTypeFromFileMode(GO_MODE.dir + GO_MODE.symlink), 'irregular');
  assert.equal(stModeFromFileMode(GO_MODE.irregular + 0o644), 0o644);
  assert.equal(fileModeFromStMode(0o170644), 0o644); // unknown type: no type bit, as in Go
  assert.ok(hasModeBit(2 ** 32 - 1, GO_MODE.dir) && !hasModeBit(2 ** 31 - 1, GO_MODE.dir));
  for (const bad of [-1, 2 ** 32, 1.5, NaN]) {
    assert.throws(() => fileModeFromStMode(bad), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => stModeFromFileMode(bad), (e: unknown) => isLifeboatError(e, 'INVALID_ARGUMENT'));
  }
});

const stTypes = [ST_MODE.file, ST_MODE.dir, ST_MODE.symlink, ST_MODE.fifo, ST_MODE.socket, ST_MODE.charDevice, ST_MODE.blockDevice];

test('st_mode -> Go -> st_mode is the identity for every file type and bit pattern', () => {
  fc.assert(
    fc.property(fc.constantFrom(...stTypes), fc.integer({ min: 0, max: 0o7777 }), (type, bits) => {
      const st = type + bits;
      const go = fileModeFromStMode(st);
      assert.equal(stModeFromFileMode(go), st);
      assert.equal(go % 0o1000, bits % 0o1000);
      assert.equal(hasModeBit(go, GO_MODE.setuid), (bits & 0o4000) !== 0);
      assert.equal(hasModeBit(go, GO_MODE.setgid), (bits & 0o2000) !== 0);
      assert.equal(hasModeBit(go, GO_MODE.sticky), (bits & 0o1000) !== 0);
    }),
  );
});

test('Go -> st_mode -> Go is the identity for modes restic writes', () => {
  const goTypes = [0, GO_MODE.dir, GO_MODE.symlink, GO_MODE.namedPipe, GO_MODE.socket, GO_MODE.device, GO_MODE.device + GO_MODE.charDevice];
  const specials = fc.subarray([GO_MODE.setuid, GO_MODE.setgid, GO_MODE.sticky]);
  fc.assert(
    fc.property(fc.constantFrom(...goTypes), specials, fc.integer({ min: 0, max: 0o777 }), (type, sp, perm) => {
      const go = type + sp.reduce((a, b) => a + b, 0) + perm;
      assert.equal(fileModeFromStMode(stModeFromFileMode(go)), go);
    }),
  );
});

test('fileModeFromStMode answers the same when asked again (remembered), and refuses bad input every time', () => {
  for (const st of [0o100644, 0o040755, 0o120777, 0o104755, 0o020620]) assert.equal(fileModeFromStMode(st), fileModeFromStMode(st));
  assert.equal(fileModeFromStMode(0o104755), GO_MODE.setuid + 0o755);
  for (let i = 0; i < 2; i++) for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) assert.throws(() => fileModeFromStMode(bad), /invalid st_mode/);
});
