import { readFileSync } from 'node:fs';
import { newLineCounter, parseDocument } from '../../lib/lazy-yaml.js';
import { LifeboatError } from '../../errors/index.js';
import { ConfigReader } from './config-reader.js';
import { readConfigDocument } from './config-schema.js';
import { formatConfigProblem, type ConfigProblem, type LifeboatConfig } from './config-types.js';
import { findConfigFile, type ConfigLookup } from './config-file.js';

export { CONFIG_FILE_NAME, SYSTEM_CONFIG_DIR, findConfigFile, type ConfigLookup } from './config-file.js';

export type ParsedConfig = { readonly ok: true; readonly config: LifeboatConfig } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** The largest config we read: a config is a page of YAML, not a data file. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Parses and validates the text of a config file. Never throws on bad input: YAML syntax
 * errors and schema mistakes all come back as problems with their line and column.
 */
export function parseConfig(text: string, file: string, env: Readonly<Record<string, string | undefined>>): ParsedConfig {
  const lineCounter = newLineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    // yaml's messages describe the syntax, never quote values; keep the first line only.
    problems.push({ file, line: at.line, column: at.col, path: '', message: `not valid YAML: ${e.message.split('\n')[0]}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  const r = new ConfigReader(file, lineCounter, doc, env);
  let config: LifeboatConfig | undefined;
  try {
    config = readConfigDocument(r, doc.contents);
  } catch (e) {
    // Alias loops and similar oddities of the yaml library: a problem, never a crash.
    r.report(null, '', `cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
  if (r.problems.length > 0 || !config) return { ok: false, problems: r.problems.length ? r.problems : [{ file, line: 1, column: 1, path: '', message: 'is empty; expected locations and apps' }] };
  return { ok: true, config };
}

export interface LoadedConfig {
  readonly file: string;
  readonly config: LifeboatConfig;
}

/** Finds, reads and validates the configuration; throws CONFIG_INVALID with every problem in `data.problems`. */
export function loadConfig(o: ConfigLookup): LoadedConfig {
  const file = findConfigFile(o);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new LifeboatError('CONFIG_NOT_FOUND', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; check its permissions`, { cause: e });
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw new LifeboatError('CONFIG_INVALID', `${file} is ${bytes.length} bytes; a configuration is at most 1 MiB`);
  const parsed = parseConfig(bytes.toString('utf8'), file, o.env);
  if (!parsed.ok) throw configInvalid(parsed.problems);
  return { file, config: parsed.config };
}

/** One error for all problems: the message is the first (one line), the rest in data. */
export function configInvalid(problems: readonly ConfigProblem[]): LifeboatError {
  const first = formatConfigProblem(problems[0]!);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}; run "lifeboat config check")` : '';
  return new LifeboatError('CONFIG_INVALID', `${first}${more}`, { data: { problems: problems.map(formatConfigProblem) } });
}
