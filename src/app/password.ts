import { readFileSync } from 'node:fs';
import { LifeboatError } from '../errors/index.js';
import type { Environment } from './environment.js';

export interface PasswordOptions {
  readonly passwordFile?: string;
  readonly passwordCommand?: string;
}

/**
 * Finds the repository password: --password-file, --password-command, LIFEBOAT_PASSWORD
 * (RESTIC_PASSWORD also read), then a prompt on a terminal. Never from argv.
 */
export async function resolvePassword(opts: PasswordOptions, env: Environment, purpose = 'the repository'): Promise<Uint8Array> {
  const file = opts.passwordFile ?? env.env['LIFEBOAT_PASSWORD_FILE'] ?? env.env['RESTIC_PASSWORD_FILE'];
  if (file) return readPasswordFile(file);
  const command = opts.passwordCommand ?? env.env['LIFEBOAT_PASSWORD_COMMAND'] ?? env.env['RESTIC_PASSWORD_COMMAND'];
  if (command) return await runPasswordCommand(command);
  const fromEnv = env.env['LIFEBOAT_PASSWORD'] ?? env.env['RESTIC_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return new TextEncoder().encode(fromEnv);
  if (env.stdinIsTTY && env.promptSecret) {
    const pw = await env.promptSecret(`enter password for ${purpose}: `);
    if (pw !== '') return new TextEncoder().encode(pw);
  }
  throw new LifeboatError('REPO_NO_PASSWORD', `no password given for ${purpose}; use --password-file FILE, --password-command CMD, or set LIFEBOAT_PASSWORD_FILE (or LIFEBOAT_PASSWORD)`);
}

export function readPasswordFile(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LifeboatError('INVALID_ARGUMENT', `cannot read the password file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; check the path and its permissions`, { cause: e });
  }
  // Like restic: the first line, without its line ending.
  const pw = text.split(/\r?\n/)[0] ?? '';
  if (pw === '') throw new LifeboatError('INVALID_ARGUMENT', `the password file ${path} is empty; write the password on its first line`);
  return new TextEncoder().encode(pw);
}

async function runPasswordCommand(command: string): Promise<Uint8Array> {
  // Loaded when used: backup loads this file before the key's scrypt starts.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    throw new LifeboatError('INVALID_ARGUMENT', `the password command failed (exit ${r.status ?? r.signal}); run it by hand to see why`);
  }
  const pw = r.stdout.split(/\r?\n/)[0] ?? '';
  if (pw === '') throw new LifeboatError('INVALID_ARGUMENT', 'the password command printed nothing; it must print the password on its first line');
  return new TextEncoder().encode(pw);
}
