import { parseArgs } from 'node:util';
import type { Environment } from '../app/index.js';
import { LifeboatError, exitCodeFor } from '../errors/index.js';
import { argumentError } from './arg-errors.js';
import { GLOBAL_OPTIONS, type Command } from './command.js';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { createOutput, type Streams } from './output.js';

const VERSION = '0.1.0';

async function usage(): Promise<string> {
  const lines = ['Usage: lifeboat [global options] <command> [options]', '', 'Commands:'];
  for (const c of await Promise.all(COMMANDS.map((e) => e.load()))) lines.push(`  ${c.name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Global options:', '  -r, --repo URL            repository (or LIFEBOAT_REPOSITORY / RESTIC_REPOSITORY)',
    '  -c, --config FILE         lifeboat.yaml to use (else LIFEBOAT_CONFIG, ./lifeboat.yaml, /etc/lifeboat/lifeboat.yaml)',
    '  -p, --password-file FILE  read the password from FILE (or LIFEBOAT_PASSWORD_FILE, LIFEBOAT_PASSWORD, RESTIC_*)',
    '  --password-command CMD    run CMD and use its first line of output as the password',
    '  --json                    print machine-readable JSON, no progress',
    '  -q, --quiet               no progress, only results and errors',
    '  --debug                   print stack traces of errors',
    '', 'Run "lifeboat <command> --help" for its options.');
  return lines.join('\n');
}

function findCommand(argv: readonly string[]): { entry: CommandEntry | undefined; index: number } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      // Skip the value of a global option that takes one.
      const name = a.replace(/^-+/, '').split('=')[0]!;
      const spec = Object.entries(GLOBAL_OPTIONS).find(([k, v]) => k === name || v.short === name)?.[1];
      if (spec?.type === 'string' && !a.includes('=')) i++;
      continue;
    }
    return { entry: COMMANDS.find((c) => c.name === a), index: i };
  }
  return { entry: undefined, index: -1 };
}

/** Runs one invocation and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], env: Environment, streams: Streams): Promise<number> {
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const early = createOutput(streams, { json, quiet: false, stderrIsTTY: false });
  try {
    const { entry, index } = findCommand(argv);
    if (argv.includes('--version')) {
      early.line(`lifeboat ${VERSION}`);
      return 0;
    }
    if (!entry) {
      if (index >= 0) throw new LifeboatError('INVALID_ARGUMENT', `unknown command "${argv[index]}"; run "lifeboat --help" for the list`);
      early.line(await usage());
      return argv.length === 0 ? 1 : 0;
    }
    const command: Command = await entry.load();
    const rest = [...argv.slice(0, index), ...argv.slice(index + 1)];
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw argumentError(e, command.name, Object.keys({ ...GLOBAL_OPTIONS, ...command.options }));
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (values['help']) {
      early.line(`Usage: lifeboat ${command.name} ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    const out = createOutput(streams, { json, quiet: Boolean(values['quiet']), stderrIsTTY: env.stderrIsTTY });
    const result = await command.run({ positionals: parsed.positionals, values, env, out });
    out.clearProgress();
    if (json && result.json !== undefined) out.line(JSON.stringify(result.json));
    return result.exitCode ?? 0;
  } catch (e) {
    return reportError(e, early, debug);
  }
}

function reportError(e: unknown, out: ReturnType<typeof createOutput>, debug: boolean): number {
  const err = e instanceof LifeboatError ? e : new LifeboatError('INTERNAL', `internal error: ${(e as Error)?.message ?? String(e)}; please report it with the output of --debug`, { cause: e });
  if (out.json) {
    out.error(JSON.stringify({ error: { code: err.code, message: err.message, ...err.data } }));
  } else {
    out.error(`lifeboat: ${err.code}: ${err.message}`);
  }
  if (debug) out.error(String((err.cause as Error | undefined)?.stack ?? err.stack));
  return exitCodeFor(err.code);
}
