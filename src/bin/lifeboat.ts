#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=30
// The only file that touches the process: it gathers the Environment and exit code.
// The flags above: V8's young generation may grow to 3 x 16 MiB by default, and a walk over
// tens of thousands of tree nodes grows it that far and keeps it; 4 MiB semi-spaces cost
// no measurable time and 15-40 MiB less resident memory (restore, check, re-backup).
// The old generation may grow up to 4x its live size before V8 collects it; a backup's
// main thread, whose live set is about 15 MiB, then carried 30-50 MiB of garbage. Growing
// it by 30% at most costs no measurable CPU and took a first backup from ~230 to ~210 MiB.
// Flags can only be given when node starts, so `./lifeboat` and the benchmark run this
// file the same way (see bench/lib/tools.ts).
import { hostname, userInfo } from 'node:os';
import type { Environment } from '../app/index.js';
import { runCli } from '../cli/run-cli.js';
import { nativeStale, tuneMalloc } from '../lib/fs-native.js';

process.title = 'lifeboat';
// Before any worker thread starts: with many threads glibc otherwise keeps freed buffers.
tuneMalloc();
// Backups still work without the helper, only slower and without nanosecond restore times and xattrs.
if (nativeStale) process.stderr.write(`lifeboat: warning: native helper not used: ${nativeStale}\n`);
// The AWS SDK warns on stderr about Node 20 on first use; Lifeboat supports Node 20 and its
// stderr is for Lifeboat's own messages.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function username(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? '';
  }
}

async function promptSecret(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  return new Promise((resolve) => {
    let text = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData);
          if (stdin.isTTY) stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          resolve(text);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

const cleanups = new Set<() => Promise<unknown>>();
const CLEANUP_LIMIT_MS = 30_000;

const env: Environment = {
  env: process.env,
  cwd: process.cwd(),
  pid: process.pid,
  uid: process.getuid?.() ?? 0,
  gid: process.getgid?.() ?? 0,
  hostname: hostname(),
  username: username(),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  isProcessAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  stdin: () => process.stdin,
  promptSecret,
  onInterrupt(cleanup) {
    cleanups.add(cleanup);
    return () => cleanups.delete(cleanup);
  },
};

let interrupted = false;
function onSignal(): void {
  if (interrupted) process.exit(130);
  interrupted = true;
  if (cleanups.size === 0) {
    process.stderr.write('\ninterrupted; stopping (the repository stays consistent)\n');
    process.exit(130);
  }
  // A drill's scratch databases must not outlive it: finish the cleanups (bounded), then exit.
  process.stderr.write('\ninterrupted; removing scratch databases and directories first (interrupt again to exit at once)\n');
  const limit = new Promise((resolve) => setTimeout(resolve, CLEANUP_LIMIT_MS).unref());
  void Promise.race([Promise.allSettled([...cleanups].map((c) => c())), limit]).then(() => process.exit(130));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A reader that went away (lifeboat dump ... | head) ends the run quietly. This must be the
// EPIPE of stdout, not a SIGPIPE handler: with one installed, a database tool dying while
// Lifeboat writes to its stdin (pg_restore, psql) would end Lifeboat with exit code 0.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await runCli(process.argv.slice(2), env, { stdout: process.stdout, stderr: process.stderr });
// Exit now: an idle ssh or HTTPS keep-alive connection of a network location must not keep the
// process alive once the command is done (stdout and stderr are synchronous on Linux).
process.exit(code);
