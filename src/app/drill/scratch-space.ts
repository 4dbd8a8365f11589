import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../../errors/index.js';
import type { DbClient } from './db-client.js';
import { deadLeftovers, scratchName, type ScratchOwner } from './scratch-names.js';

export interface ScratchOptions {
  /** `<stateDir>/drills` holds the scratch directories. */
  readonly stateDir: string;
  readonly prefix: string;
  readonly owner: ScratchOwner;
  readonly isProcessAlive: (pid: number) => boolean;
}

export interface SweepResult {
  readonly databases: readonly string[];
  readonly directories: readonly string[];
  /** Leftovers that could not be removed (the server refused...), one line each. */
  readonly problems: readonly string[];
}

const random8 = (): string => BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36).padStart(8, '0').slice(-8);
export const drillsDir = (stateDir: string): string => join(stateDir, 'drills');

/**
 * Drops what dead drills of this host left behind: scratch databases on each server and
 * scratch directories under the state directory. Run at the start of every drill.
 */
export async function sweepLeftovers(o: ScratchOptions, servers: readonly DbClient[]): Promise<SweepResult> {
  const databases: string[] = [];
  const directories: string[] = [];
  const problems: string[] = [];
  for (const server of servers) {
    try {
      for (const name of deadLeftovers(o.prefix, await server.listDatabases(), o.owner.hostTag, o.isProcessAlive)) {
        await server.dropDatabase(name);
        databases.push(`${server.engine}/${name}`);
      }
    } catch (e) {
      problems.push(`could not sweep scratch databases on ${server.where}: ${(e as Error).message}`);
    }
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(drillsDir(o.stateDir));
  } catch {
    entries = [];
  }
  for (const name of deadLeftovers(o.prefix, entries, o.owner.hostTag, o.isProcessAlive)) {
    try {
      rmSync(join(drillsDir(o.stateDir), name), { recursive: true, force: true });
      directories.push(join(drillsDir(o.stateDir), name));
    } catch (e) {
      problems.push(`could not remove ${name}: ${(e as Error).message}`);
    }
  }
  return { databases, directories, problems };
}

/**
 * The scratch objects of one drill: a directory and databases, all named after this process so
 * that a later sweep can remove them if this one dies. `dispose` is idempotent and is called
 * from `finally` and from the interrupt handler.
 */
export class ScratchSpace {
  readonly dir: string;
  private readonly databases: { server: DbClient; name: string }[] = [];
  private disposed: Promise<string[]> | undefined;

  constructor(private readonly o: ScratchOptions) {
    this.dir = join(drillsDir(o.stateDir), scratchName(o.prefix, o.owner, random8()));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Creates a uniquely named scratch database; it is recorded before it exists, so a failure half-way is still cleaned up. */
  async createDatabase(server: DbClient): Promise<string> {
    if (this.disposed) throw new LifeboatError('INTERRUPTED', 'the drill is being stopped; no new scratch database is made');
    const name = scratchName(this.o.prefix, this.o.owner, random8());
    this.databases.push({ server, name });
    await server.createDatabase(name);
    return name;
  }

  /** Drops every scratch database and removes the directory; gives the problems (never throws). */
  dispose(): Promise<string[]> {
    this.disposed ??= (async () => {
      const problems: string[] = [];
      for (const { server, name } of this.databases) {
        try {
          await server.dropDatabase(name);
        } catch (e) {
          problems.push(`could not drop scratch database ${name} on ${server.where}: ${(e as Error).message}; the next drill will retry`);
        }
      }
      try {
        rmSync(this.dir, { recursive: true, force: true });
      } catch (e) {
        problems.push(`could not remove ${this.dir}: ${(e as Error).message}`);
      }
      return problems;
    })();
    return this.disposed;
  }
}
