import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PathPattern } from './path-pattern.js';

type Row = readonly [pattern: string, path: string, match: boolean];

const check = ([pattern, path, match]: Row): void => {
  assert.equal(new PathPattern([pattern]).matches(path), match, `${JSON.stringify(pattern)} on ${JSON.stringify(path)} should ${match ? '' : 'not '}match`);
};

describe('PathPattern', () => {
  const table: Record<string, Row[]> = {
    '*.bak at any depth': [
      ['*.bak', '/a.bak', true],
      ['*.bak', '/srv/app/x/y/z.bak', true],
      ['*.bak', '/srv/app/.bak', true],
      ['*.bak', '/srv/app/a.bak.txt', false],
      ['*.bak', '/srv/app/abak', false],
      ['*.bak', '/srv/old.bak/inside.txt', true], // a directory that matches takes its contents along
      ['*.c', '/foo/bar/test.go', false],
      ['test.*', '/foo/bar/test.go', true],
      ['tesT.*', '/foo/bar/test.go', false],
    ],
    'anchored patterns': [
      ['/abs/anchored', '/abs/anchored', true],
      ['/abs/anchored', '/abs/anchored/child/file', true],
      ['/abs/anchored', '/x/abs/anchored', false],
      ['/abs/anchored', '/abs/anchoredX', false],
      ['/abs/anchored', '/abs', false],
      ['/abs/anchored/', '/abs/anchored', true],
      ['/bar*', '/foo/bar/test.go', false],
      ['/foo/bar', '/foo/baz', false],
      ['/foo/*', '/foo', false],
      ['/foo/*', '/foo/baz', true],
      ['/foo/*test.*', '/foo/bar/test.go', false],
      ['/foo/*/test.*', '/foo/bar/test.go', true],
      ['/*/*/bar/test.*', '/foo/bar/test.go', false],
      ['/*/*/baz/test.*', '/foo/bar/baz/test.go', true],
      ['/*/foo/bar/test.*', '/foo/bar/baz/test.go', false],
    ],
    'a directory name excludes everything under it': [
      ['dir', '/dir', true],
      ['dir', '/a/dir', true],
      ['dir', '/a/dir/b/c.txt', true],
      ['dir', '/a/dirx/c.txt', false],
      ['dir', '/a/xdir', false],
      ['bar', '/foo/bar/baz', true],
      ['sdk', '/foo/bar/sdk/test/sdk_foo.go', true],
      ['bar/*', '/foo/bar/baz', true],
      ['baz/*', '/foo/bar/test.go', false],
      ['bar/test.go', '/foo/bar/test.go', true],
      ['ba*/*.go', '/foo/bar/test.go', true],
      ['bb*/*.go', '/foo/bar/test.go', false],
    ],
    '** across directories': [
      ['**', '/foo/bar/test.go', true],
      ['*', '/foo/bar/test.go', true],
      ['foo/**/bar/*.go', '/home/user/foo/work/special/project/bar/test.go', true],
      ['foo/**/bar/*.go', '/home/user/foo/bar/test.go', true],
      ['foo/**/bar/*.go', '/foo/bar/main.go', true],
      ['foo/**/bar/*.go', '/home/user/foo/test.c', false],
      ['foo/**/bar', '/home/user/foo/x/y/bar/main.go', true],
      ['foo/**/bar/**/x', '/home/user/foo/bar/x', true],
      ['foo/**/bar/**/x', '/home/user/foo/blaaa/blaz/bar/shared/work/x', true],
      ['user/**/important*', '/home/user/work/x/y/hidden/x', false],
      ['user/**/hidden*/**/c', '/home/user/work/x/y/hidden/z/a/b/c', true],
      ['/foo/**/test.c', '/foo/bar/foo/bar/test.c', true],
      ['/foo/*/test.c', '/foo/bar/foo/bar/test.c', false],
      ['**/x.txt', '/x.txt', true],
      ['**/x.txt', '/a/b/x.txt', true],
    ],
    '? is one character within a component': [
      ['?.go', '/a/b.go', true],
      ['?.go', '/a/bb.go', false],
      ['a?c', '/abc', true],
      ['a?c', '/a/c', false],
      ['/home/[uU]ser/?.go', '/home/user/F.go', true],
    ],
    'character classes': [
      ['[abc].txt', '/x/a.txt', true],
      ['[abc].txt', '/x/c.txt', true],
      ['[abc].txt', '/x/d.txt', false],
      ['[a-c]x', '/bx', true],
      ['[a-c]x', '/dx', false],
      // Go's filepath.Match (which restic uses) negates with ^ only: ! is an ordinary member.
      ['[!a].txt', '/x/b.txt', false],
      ['[!a].txt', '/x/!.txt', true],
      ['[^a].txt', '/x/b.txt', true],
      ['[^a].txt', '/x/a.txt', false],
    ],
    'special characters are literal': [
      ['a.b', '/a.b', true],
      ['a.b', '/axb', false],
      ['a+b(1)$', '/x/a+b(1)$', true],
      ['\\*', '/*', true],
      ['\\*', '/x', false],
      ['x[', '/x[', true],
    ],
  };
  for (const [name, rows] of Object.entries(table)) {
    test(name, () => rows.forEach(check));
  }

  // Cases where a naive glob translation would answer otherwise than restic (internal/filter, Go's filepath.Match per component).
  const divergences: [string, Row, string][] = [
    ['a negated class never matches the separator', ['x[!a]y', '/x/y', false], 'path-pattern.ts componentToRegex turns [!a] into the regex [^a], which also matches "/", so "x[!a]y" matches "/x/y" (restic matches per component, so never)'],
    ['a negated class with ^ never matches the separator', ['/a[^b]c', '/a/c', false], 'same as above for [^b]: "/a[^b]c" matches "/a/c"'],
    ['/**/x matches /x (** may be empty)', ['/**/x.txt', '/x.txt', true], 'path-pattern.ts compilePattern only rewrites "/**/" between components, so an anchored leading "/**/" needs at least one directory: "/**/x.txt" does not match "/x.txt" (restic expands ** to zero or more components)'],
    ['/foo/** matches /foo itself', ['/foo/**', '/foo', true], 'a trailing "/**" compiles to "/foo/(?:.*)" which needs the slash: "/foo/**" does not match "/foo" (restic: true, ** expands to nothing)'],
    ['a pattern is cleaned like a path (///)', ['/foo///bar', '/foo/bar', true], 'restic applies filepath.Clean to patterns; path-pattern.ts does not, so "/foo///bar" never matches'],
    ['a pattern is cleaned like a path (..)', ['/foo/../bar', '/bar', true], 'no filepath.Clean: "/foo/../bar" does not match "/bar"'],
    ['[]a] is a class of ] and a', ['[]a]', '/]', true], 'the class body "]a" is emitted as the JS regex "[]a]", where "[]" is an empty class that never matches'],
  ];
  for (const [name, row] of divergences) {
    test(`restic compatibility: ${name}`, () => check(row));
  }

  test('several patterns: any one matching is enough; blank patterns are ignored', () => {
    const p = new PathPattern(['*.tmp', '', '   ', '/var/cache']);
    assert.equal(p.empty, false);
    assert.equal(p.matches('/a/b.tmp'), true);
    assert.equal(p.matches('/var/cache/x'), true);
    assert.equal(p.matches('/var/lib/x'), false);
    assert.equal(new PathPattern(['', ' ']).empty, true);
    assert.equal(new PathPattern([]).matches('/anything'), false);
  });

  // Names made of letters and regex metacharacters, but none of * ? [ \ / (which are pattern syntax).
  const arbName = fc
    .string({ unit: fc.constantFrom(...'abcXYZ019.-_+()$^{}|é😀 '.split('')), minLength: 1, maxLength: 8 })
    .filter((s) => s.trim() !== '' && s !== '.' && s !== '..');
  const arbDirs = fc.array(arbName, { maxLength: 5 });

  test('property: a literal pattern matches exactly that name, at any depth, and what is under it', () => {
    fc.assert(
      fc.property(arbName, arbDirs, arbDirs, arbName, (name, above, below, other) => {
        const p = new PathPattern([name]);
        const path = (parts: string[]) => '/' + parts.join('/');
        // the name at any depth, and everything under it
        assert.equal(p.matches(path([...above, name])), true);
        assert.equal(p.matches(path([...above, name, ...below])), true);
        // a path none of whose components is the name never matches
        const without = [...above, ...below, other].filter((c) => c !== name);
        if (without.length > 0) assert.equal(p.matches(path(without)), false, path(without));
        // near misses: the name with something glued on
        assert.equal(p.matches(path([...above, name + 'x'])), above.includes(name));
        assert.equal(p.matches(path([...above, 'x' + name])), above.includes(name));
      }),
      { numRuns: 500 },
    );
  });

  test('property: an anchored literal pattern matches only from the root', () => {
    fc.assert(
      fc.property(fc.array(arbName, { minLength: 1, maxLength: 3 }), arbDirs, arbName, (parts, below, prefix) => {
        const p = new PathPattern(['/' + parts.join('/')]);
        assert.equal(p.matches('/' + [...parts, ...below].join('/')), true);
        const moved = [prefix, ...parts];
        // a different path unless the prefix just repeats the start
        const same = moved.slice(0, parts.length).every((c, i) => c === parts[i]);
        assert.equal(p.matches('/' + moved.join('/')), same);
      }),
      { numRuns: 300 },
    );
  });
});
