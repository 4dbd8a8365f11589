import { LifeboatError } from '../errors/index.js';

/** Edit distance with transpositions (optimal string alignment), small strings only (option names). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let before = prev;
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      // Two swapped letters (--hots) count as one typo.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, before[j - 2]! + 1);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** The known option closest to a mistyped one, if it is close enough to be a typo. */
export function closestOption(typed: string, known: readonly string[]): string | undefined {
  const name = typed.replace(/^-+/, '').split('=')[0]!;
  let best: { option: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(name, k);
    if (!best || d < best.d) best = { option: k, d };
  }
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? best.option : undefined;
}

/**
 * node:util parseArgs errors rewritten as one short line: its own text for an unknown option is a
 * long sentence about positionals with unbalanced quotes. `known` are the long option names.
 */
export function argumentError(e: unknown, command: string, known: readonly string[]): LifeboatError {
  const message = (e as Error).message.split('\n')[0]!;
  const help = `run "lifeboat ${command} --help"`;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const near = closestOption(unknown[1]!, known);
    return new LifeboatError('INVALID_ARGUMENT', `unknown option ${unknown[1]} for "lifeboat ${command}"${near ? `; did you mean --${near}?` : ''} (${help} for its options)`);
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return new LifeboatError('INVALID_ARGUMENT', `${missing[1]} needs a value; ${help}`);
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return new LifeboatError('INVALID_ARGUMENT', `${noValue[1]} takes no value; ${help}`);
  return new LifeboatError('INVALID_ARGUMENT', `${message}; ${help}`);
}
