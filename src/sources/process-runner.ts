import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An argument whose secret content is written to a fresh temporary file (mode 0600) and
 * replaced by `prefix + path`. The file is removed when the child has exited. This is how a
 * password reaches a tool that reads option files (`--defaults-extra-file=`) without ever
 * appearing in argv.
 */
export interface SecretFileArg {
  readonly secretFile: { readonly prefix: string; readonly content: string };
}

export type ProcessArg = string | SecretFileArg;

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly ProcessArg[];
  /** Added to the runner's base environment (e.g. PGPASSWORD). Never put secrets in args. */
  readonly env?: Readonly<Record<string, string>>;
  /** Bytes piped into the child's stdin; when absent the child's stdin is /dev/null. */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Aborting kills the child. */
  readonly signal?: AbortSignal;
}

export interface ProcessResult {
  /** null when the child was ended by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last ~4 KiB of stderr, decoded as UTF-8. */
  readonly stderrTail: string;
  /** errno code when the command could not be started at all (ENOENT: not installed). */
  readonly spawnError?: string;
  /** True when the child was killed by us (abort, or the consumer stopped reading early). */
  readonly killedByUs: boolean;
  /** The error thrown by `spec.stdin`, if reading it failed (the child is then killed). */
  readonly stdinError?: unknown;
}

export interface RunningProcess {
  /** The child's stdout. Stopping the iteration early kills the child. Iterate at most once. */
  readonly stdout: AsyncIterable<Uint8Array>;
  /** Settles once the child has exited and its output is closed; never rejects. */
  readonly done: Promise<ProcessResult>;
  /** The argv the child was actually given (secret files replaced by their paths). */
  readonly argv: readonly string[];
  readonly pid: number | undefined;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts child processes. Injected so the core never touches the process table itself. */
export interface ProcessRunner {
  run(spec: ProcessSpec): RunningProcess;
}

const STDERR_TAIL_BYTES = 4096;
const KILL_GRACE_MS = 2000;

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= STDERR_TAIL_BYTES) {
      this.size -= this.chunks.shift()!.length;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - STDERR_TAIL_BYTES)).toString('utf8');
  }
}

function materializeArgs(args: readonly ProcessArg[]): { argv: string[]; tempDir: string | undefined } {
  let tempDir: string | undefined;
  const argv = args.map((a, i) => {
    if (typeof a === 'string') return a;
    tempDir ??= mkdtempSync(join(tmpdir(), 'lifeboat-'));
    const path = join(tempDir, `secret-${i}.cnf`);
    writeFileSync(path, a.secretFile.content, { mode: 0o600, flag: 'wx' });
    return a.secretFile.prefix + path;
  });
  return { argv, tempDir };
}

/**
 * The Node implementation. `env` is the base environment the children get (the composition
 * root passes process.env); the core never reads it itself.
 */
export function nodeProcessRunner(options: { env?: Readonly<Record<string, string | undefined>> } = {}): ProcessRunner {
  return { run: (spec) => runNode(spec, options.env ?? {}) };
}

function runNode(spec: ProcessSpec, baseEnv: Readonly<Record<string, string | undefined>>): RunningProcess {
  const { argv, tempDir } = materializeArgs(spec.args);
  const cleanup = (): void => {
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  };
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(spec.command, argv, {
      env: { ...baseEnv, ...spec.env },
      stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    cleanup();
    throw e;
  }
  const tail = new TailBuffer();
  child.stderr!.on('data', (b: Buffer) => tail.push(b));
  let killedByUs = false;
  let stdinError: unknown;
  let spawnError: string | undefined;
  let graceTimer: NodeJS.Timeout | undefined;

  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killedByUs = true;
    child.kill(signal);
    graceTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
  };
  const onAbort = (): void => kill();
  if (spec.signal?.aborted) queueMicrotask(onAbort);
  else spec.signal?.addEventListener('abort', onAbort, { once: true });

  const done = new Promise<ProcessResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      if (graceTimer) clearTimeout(graceTimer);
      spec.signal?.removeEventListener('abort', onAbort);
      cleanup();
      resolve({
        exitCode,
        signal,
        stderrTail: tail.text(),
        killedByUs,
        ...(spawnError === undefined ? {} : { spawnError }),
        ...(stdinError === undefined ? {} : { stdinError }),
      });
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        spawnError = e.code ?? 'UNKNOWN';
        finish(null, null);
      }
    });
    child.once('close', (code, signal) => finish(code, signal));
  });

  if (spec.stdin && child.stdin) {
    void pumpStdin(spec.stdin, child.stdin, (e) => {
      stdinError = e;
      kill();
    });
  }

  return { stdout: stdoutOf(child.stdout!, kill), done, argv, pid: child.pid, kill };
}

async function* stdoutOf(stream: NodeJS.ReadableStream, kill: () => void): AsyncGenerator<Uint8Array> {
  let complete = false;
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
    complete = true;
  } finally {
    // The consumer stopped early (break, throw): nobody will read the rest, so end the child.
    if (!complete) kill();
  }
}

async function pumpStdin(source: AsyncIterable<Uint8Array>, sink: NodeJS.WritableStream & { destroyed?: boolean }, fail: (e: unknown) => void): Promise<void> {
  let broken = false;
  // EPIPE when the child exits early: its exit code tells the story, not the write error.
  sink.on('error', () => {
    broken = true;
  });
  try {
    for await (const chunk of source) {
      if (broken || sink.destroyed) return;
      if (!sink.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            sink.off('drain', done);
            sink.off('close', done);
            resolve();
          };
          sink.on('drain', done);
          sink.on('close', done);
        });
      }
    }
    sink.end();
  } catch (e) {
    fail(e);
    sink.end();
  }
}
