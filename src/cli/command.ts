import type { ParseArgsConfig } from 'node:util';
import type { Environment } from '../app/index.js';
import type { Output } from './output.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  readonly positionals: readonly string[];
  readonly values: OptionValues;
  readonly env: Environment;
  readonly out: Output;
}

/** What a command gives back: the object --json prints, and the exit code. */
export interface CommandResult {
  readonly json?: unknown;
  readonly exitCode?: number;
}

/** One CLI verb: its options and a thin call into app/. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpec;
  run(ctx: CommandContext): Promise<CommandResult>;
}

export const GLOBAL_OPTIONS: OptionSpec = {
  // Repeatable: init, backup, sync and locations take several locations (a mirror); the others one.
  repo: { type: 'string', short: 'r', multiple: true },
  config: { type: 'string', short: 'c' },
  'password-file': { type: 'string', short: 'p' },
  'password-command': { type: 'string' },
  'key-hint': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};
