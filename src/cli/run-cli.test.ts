import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnvironment } from '../app/test-environment.test-util.js';
import { runCli } from './run-cli.js';

function collector(): { stream: NodeJS.WritableStream; text: () => string } {
  const parts: string[] = [];
  return { stream: { write: (s: string) => parts.push(s) > 0 } as NodeJS.WritableStream, text: () => parts.join('') };
}

async function run(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [stdout, stderr] = [collector(), collector()];
  const env = testEnvironment({ cwd, env: { LIFEBOAT_SYSTEM_CONFIG_DIR: cwd, LIFEBOAT_PASSWORD: 'pw', LIFEBOAT_STATE_DIR: join(cwd, 'state') } });
  const code = await runCli(argv, env, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

// The branches that backup, restore and check load on demand (app mode, mirrors): a module that
// no longer loads would give INTERNAL here instead of the error of the branch itself.
test('app mode and mirror branches load when asked for and give their own errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-run-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const argv of [['backup', '--app', 'site'], ['restore', '--app', 'site', '--target', join(dir, 't')], ['check', '--app', 'site']]) {
    const r = await run(argv, dir);
    assert.equal(r.code, 1, argv.join(' '));
    assert.match(r.stderr, /^lifeboat: CONFIG_NOT_FOUND: no lifeboat\.yaml in /, argv.join(' '));
  }
  const mirror = await run(['backup', '-r', join(dir, 'a'), '-r', join(dir, 'b'), dir], dir);
  assert.equal(mirror.code, 1);
  assert.match(mirror.stderr, /^lifeboat: LOCATIONS_ALL_FAILED: no location is reachable: /);
  const usage = await run([], dir);
  assert.equal(usage.code, 1);
  assert.match(usage.stdout, /^ {2}backup {7}back up files/m);
});

/** Modules reachable by static imports (not `import()`) from `entries`, relative to dist/src. */
function staticGraph(entries: readonly string[]): { local: Set<string>; external: Set<string> } {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const local = new Set<string>();
  const external = new Set<string>();
  const queue = entries.map((e) => join(root, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    const rel = relative(root, file);
    if (local.has(rel)) continue;
    local.add(rel);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) queue.push(join(dirname(file), spec));
      else external.add(spec);
    }
  }
  return { local, external };
}

// Start-up time is mostly module loading: these commands must not pull in the whole of app/
// (app/index.js), the app-mode layers or the journal's SQLite driver.
test('backup, restore and check load only what a plain -r run uses', () => {
  for (const command of ['backup', 'restore', 'check']) {
    const { local, external } = staticGraph(['bin/lifeboat.js', `cli/commands/${command}.js`]);
    const unwanted = [...local].filter((f) => f === 'app/index.js' || /^(apps|sources|policy|journal|app\/drill|app\/config\/load-config)/.test(f) || (f.startsWith('cli/commands/') && f !== `cli/commands/${command}.js` && f !== 'cli/commands/index.js'));
    assert.deepEqual(unwanted, [], command);
    assert.ok(!external.has('better-sqlite3'), command);
  }
  for (const worker of ['repo/blob-worker.js', 'restorer/span-worker.js', 'verify/pack-verify-worker.js']) {
    const { local } = staticGraph([worker]);
    assert.deepEqual([...local].filter((f) => /^(repo|lib|crypto|model)\/index\.js$|^repo\/(repository|repo-writer)\.js$/.test(f)), [], worker);
  }
});
