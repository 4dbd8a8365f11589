#!/usr/bin/env node
// The only file that touches the process: it gathers the Environment and exit code.
import { hostname, userInfo } from 'node:os';
import type { Environment } from '../app/index.js';
import { runCli } from '../cli/run-cli.js';

process.title = 'lifeboat';
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
};

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\ninterrupted; stopping (the repository stays consistent)\n');
  process.exit(130);
});
// A closed stdout (`lifeboat ls | head`) ends the command quietly. Not via SIGPIPE: that signal
// also comes from a network location's socket whose server went away mid-upload, which must
// be an error of that location (retried, then marked behind), never a silent exit 0.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await runCli(process.argv.slice(2), env, { stdout: process.stdout, stderr: process.stderr });
// Exit now: an idle ssh or HTTPS keep-alive connection of a network location must not keep the
// process alive once the command is done (stdout and stderr are synchronous on Linux).
process.exit(code);
