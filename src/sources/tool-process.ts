import { LifeboatError, type ErrorCode } from '../errors/index.js';
import type { ProcessResult, ProcessRunner, ProcessSpec, RunningProcess } from './process-runner.js';

/** One database dump: its path in the snapshot and its bytes, produced while they are read. */
export interface DumpEntry {
  readonly path: string;
  readonly database: string;
  /**
   * The dump's bytes. The tool starts when iteration starts (iterate once). If the tool fails,
   * the iteration throws a LifeboatError after the last byte it produced, so a truncated dump
   * is never mistaken for a complete one. Stopping early kills the tool.
   */
  readonly stream: AsyncIterable<Uint8Array>;
  /** Resolves when the dump completed; rejects with the same error the stream threw. */
  readonly done: Promise<void>;
}

/** stderr patterns that tell why a database tool failed, first match wins. */
export type FailureRules = readonly { readonly code: ErrorCode; readonly pattern: RegExp; readonly hint: string }[];

export interface FailureContext {
  /** What was being done, e.g. `pg_dump of database "shop" on 127.0.0.1:5432`. */
  readonly what: string;
  readonly tool: string;
  readonly rules: FailureRules;
  /** Values that must never appear in a message (passwords). */
  readonly secrets: readonly string[];
  /** Code for an unexplained non-zero exit. */
  readonly fallback: ErrorCode;
}

const MAX_DETAIL = 300;

/** Removes secrets, folds the text onto one line and bounds its length. */
export function oneLine(text: string, secrets: readonly string[]): string {
  let s = text;
  for (const secret of secrets) if (secret.length > 0) s = s.split(secret).join('***');
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 3)}...` : s;
}

function stderrDetail(stderr: string, tool: string, pattern: RegExp | undefined): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const line = (pattern && lines.find((l) => pattern.test(l))) ?? lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? '';
  return line.replace(new RegExp(`^${tool}:\\s*(error:\\s*)?`, 'i'), '').replace(/^error:\s*/i, '');
}

/** Turns a finished tool run into undefined (success) or the error that explains it. */
export function failureOf(r: ProcessResult, ctx: FailureContext): LifeboatError | undefined {
  if (r.stdinError !== undefined) {
    return r.stdinError instanceof LifeboatError
      ? r.stdinError
      : new LifeboatError(ctx.fallback, oneLine(`${ctx.what} failed: reading its input failed: ${String(r.stdinError)}`, ctx.secrets), { cause: r.stdinError });
  }
  if (r.spawnError === 'ENOENT') return toolMissing(ctx.tool);
  if (r.spawnError !== undefined) {
    return new LifeboatError(ctx.fallback, oneLine(`${ctx.what} failed: could not start ${ctx.tool} (${r.spawnError})`, ctx.secrets));
  }
  if (r.killedByUs) return new LifeboatError('INTERRUPTED', oneLine(`${ctx.what} was stopped before it finished`, ctx.secrets));
  if (r.exitCode === 0) return undefined;
  const rule = ctx.rules.find((x) => x.pattern.test(r.stderrTail));
  const detail = stderrDetail(r.stderrTail, ctx.tool, rule?.pattern);
  const how = r.signal !== null ? `${ctx.tool} was killed by ${r.signal}` : `${ctx.tool} exited with code ${r.exitCode}`;
  // Only what the tool said is bounded: the hint (what to do) must survive a long tool message.
  const text = `${oneLine(`${ctx.what} failed: ${how}${detail ? `: ${detail}` : ''}`, ctx.secrets)}${rule ? `; ${rule.hint}` : ''}`;
  return new LifeboatError(r.signal !== null ? 'SOURCE_DUMP_FAILED' : (rule?.code ?? ctx.fallback), text, {
    data: { tool: ctx.tool, exitCode: r.exitCode, signal: r.signal },
  });
}

export function toolMissing(...tools: string[]): LifeboatError {
  return new LifeboatError(
    'SOURCE_TOOL_MISSING',
    `${tools.join(' or ')} not found on PATH; install the database client tools or configure the tool's path`,
    { data: { tools } },
  );
}

/**
 * Wraps a lazily started tool as a DumpEntry: the stream yields the tool's stdout, then
 * throws if the tool did not exit cleanly.
 */
export function dumpEntry(path: string, database: string, start: () => RunningProcess, ctx: FailureContext): DumpEntry {
  let settle!: (e: LifeboatError | undefined) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (e) => (e ? reject(e) : resolve());
  });
  done.catch(() => {}); // the stream reports the same error; an unawaited done is not "unhandled"
  let started = false;
  const stream: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (started) throw new LifeboatError('INVALID_ARGUMENT', `${path}: a dump stream can be read only once`);
      started = true;
      let child: RunningProcess;
      try {
        child = start();
      } catch (e) {
        const err = new LifeboatError(ctx.fallback, oneLine(`${ctx.what} failed: ${String(e)}`, ctx.secrets), { cause: e });
        settle(err);
        throw err;
      }
      let readToEnd = false;
      try {
        yield* child.stdout;
        readToEnd = true;
      } finally {
        // Also reached when the consumer stops early (stdout has killed the child): then `done`
        // rejects with INTERRUPTED, but the consumer who chose to stop gets no exception.
        const err = failureOf(await child.done, ctx);
        settle(err);
        if (err && readToEnd) throw err;
      }
    },
  };
  return { path, database, stream, done };
}

/** Runs a tool to completion and returns its stdout as text, or throws its failure. */
export async function runForText(runner: ProcessRunner, spec: ProcessSpec, ctx: FailureContext): Promise<string> {
  const child = runner.run(spec);
  const parts: Uint8Array[] = [];
  for await (const chunk of child.stdout) parts.push(chunk);
  const err = failureOf(await child.done, ctx);
  if (err) throw err;
  return Buffer.concat(parts).toString('utf8');
}

/** Runs a tool to completion, discarding stdout (restores), or throws its failure. */
export async function runToCompletion(runner: ProcessRunner, spec: ProcessSpec, ctx: FailureContext): Promise<void> {
  const child = runner.run(spec);
  for await (const chunk of child.stdout) void chunk;
  const err = failureOf(await child.done, ctx);
  if (err) throw err;
}

/** The first of `candidates` that runs, with its `--version` line. */
export async function findTool(runner: ProcessRunner, candidates: readonly string[]): Promise<{ command: string; version: string }> {
  for (const command of candidates) {
    const child = runner.run({ command, args: ['--version'] });
    const parts: Uint8Array[] = [];
    for await (const chunk of child.stdout) parts.push(chunk);
    const r = await child.done;
    if (r.spawnError === 'ENOENT') continue;
    if (r.exitCode === 0) return { command, version: Buffer.concat(parts).toString('utf8').trim().split('\n')[0] ?? '' };
    // It exists but does not work: saying "not found" would send the user the wrong way.
    const how = r.signal !== null ? `was killed by ${r.signal}` : r.spawnError !== undefined ? `could not start (${r.spawnError})` : `exited with code ${r.exitCode}`;
    throw new LifeboatError('SOURCE_TOOL_MISSING', `${command} --version ${how}; check the installation of the database client tools`, { data: { tool: command } });
  }
  throw toolMissing(...candidates);
}
