// Lifeboat's benchmark (issue #3): npm run bench -- [options]; see bench/README.md.
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE } from './lib/args.js';
import type { Options } from './lib/args.js';
import { makeContext } from './lib/context.js';
import { runComparison } from './lib/main-compare.js';
import { runManyFiles } from './lib/main-many-files.js';

/** The repository root: this file runs as dist/bench/bench.js. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function options(argv: string[]): Options {
  try {
    return parseOptions(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const context = makeContext(opts, REPO_ROOT);
  if (opts.manyFiles) await runManyFiles(context);
  else await runComparison(context);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
