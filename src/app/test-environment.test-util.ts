// A test Environment: what bin/ would gather from the process, built by hand.
import type { Environment } from './environment.js';

export function testEnvironment(over: { env?: Record<string, string | undefined>; cwd?: string } = {}): Environment {
  return {
    env: { LIFEBOAT_KDF_N: '1024', ...over.env },
    cwd: over.cwd ?? '/',
    pid: 4242,
    uid: 1000,
    gid: 1000,
    hostname: 'test-host',
    username: 'tester',
    stdinIsTTY: false,
    stderrIsTTY: false,
    isProcessAlive: () => true,
    stdin: () => (async function* () {})(),
  };
}
