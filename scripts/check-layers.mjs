// Enforces design.md's layer rule: a folder of src/ may import only the folders listed here.
// errors, model and lib are vocabulary every layer may use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const BASE = ['errors', 'model', 'lib'];
const ALLOWED = {
  errors: [],
  model: ['errors'],
  lib: ['errors'],
  crypto: [...BASE],
  backend: [...BASE],
  repo: [...BASE, 'backend', 'crypto'],
  sources: [...BASE],
  apps: [...BASE, 'sources'],
  archiver: [...BASE, 'repo', 'sources'],
  restorer: [...BASE, 'repo'],
  policy: [...BASE],
  verify: [...BASE, 'repo', 'restorer', 'apps', 'policy', 'crypto'],
  journal: [...BASE],
  app: [...BASE, 'crypto', 'backend', 'repo', 'sources', 'apps', 'archiver', 'restorer', 'policy', 'verify', 'journal'],
  daemon: [...BASE, 'app', 'policy'],
  web: [...BASE, 'app', 'journal'],
  cli: [...BASE, 'app'],
  bin: [...BASE, 'cli', 'daemon', 'app'],
};

function files(dir, out = []) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.test.ts') && !n.includes('.test-util.') && !n.endsWith('.contract.ts')) out.push(p);
  }
  return out;
}

const problems = [];
for (const file of files('src')) {
  const layer = relative('src', file).split(sep)[0];
  const allowed = ALLOWED[layer];
  if (!allowed) {
    problems.push(`${file}: folder src/${layer} is not in the layer table (scripts/check-layers.mjs)`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/from\s+'(\.\.?\/[^']+)'/g)) {
    const target = relative('src', join(file, '..', m[1])).split(sep)[0];
    if (target !== layer && !allowed.includes(target)) problems.push(`${file}: src/${layer} may not import src/${target} (${m[1]})`);
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} layer violation(s); see docs in ../shared/docs/design.md`);
  process.exit(1);
}
console.log('layers: ok');
