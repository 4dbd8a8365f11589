import { isLifeboatError, LifeboatError } from '../errors/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { displayPath, filePath } from './layout.js';

/** One location of a mirror: a name for messages (`offsite`) and its backend. */
export interface MirrorMember {
  readonly name: string;
  readonly backend: Backend;
}

/** What the mirror knows about a member at the end of (or during) a run. */
export interface MemberState {
  readonly name: string;
  readonly location: string;
  /** True once a save failed (or the run started without it): it got nothing more. */
  readonly behind: boolean;
  /** The first error that made it behind, one line, credential-free. */
  readonly reason?: string;
  /** Files saved there in this run. */
  readonly saved: number;
}

interface Member extends MirrorMember {
  behind: boolean;
  reason?: string;
  saved: number;
  /** A load failed here in this run: ask the others first. */
  unreadable: boolean;
}

/**
 * Several locations as one Backend: what the repository writes goes to every healthy location
 * concurrently (one pass of chunking, compression and encryption upstream, N uploads here).
 * A location whose save fails (after the retries of its own wrapper) is **behind**: it gets
 * nothing more for the rest of the run, in particular no snapshot file, so it never holds a
 * snapshot whose data it may lack. The run fails only when no location is left.
 *
 * Reads come from the first healthy location that answers, falling back to the others, and a
 * listing is the union over the healthy locations (so listed ⇒ loadable by fallback).
 * `remove` (locks, mostly) goes to every healthy location and succeeds if one removed it.
 */
export class MirrorBackend implements Backend {
  readonly location: string;
  readonly #members: Member[];

  constructor(members: readonly MirrorMember[]) {
    if (members.length === 0) throw new LifeboatError('INVALID_ARGUMENT', 'a mirror needs at least one location');
    this.#members = members.map((m) => ({ ...m, behind: false, saved: 0, unreadable: false }));
    this.location = members.length === 1 ? members[0]!.backend.location : `mirror of ${members.map((m) => `${m.name} (${m.backend.location})`).join(', ')}`;
  }

  /** Marks a location behind before anything is written (unreachable, or sync failed). */
  markBehind(name: string, reason: string): void {
    const m = this.#members.find((x) => x.name === name);
    if (m && !m.behind) {
      m.behind = true;
      m.reason = reason;
    }
  }

  states(): MemberState[] {
    return this.#members.map((m) => ({ name: m.name, location: m.backend.location, behind: m.behind, ...(m.reason ? { reason: m.reason } : {}), saved: m.saved }));
  }

  #healthy(): Member[] {
    const ok = this.#members.filter((m) => !m.behind);
    if (ok.length === 0) {
      const why = this.#members.map((m) => `${m.name}: ${m.reason ?? 'unavailable'}`).join('; ');
      throw new LifeboatError('LOCATIONS_ALL_FAILED', `no location can take the backup (${why}); fix one of them and run the backup again`);
    }
    return ok;
  }

  /** Healthy members, the ones that failed a load in this run last. */
  #readOrder(): Member[] {
    const ok = this.#healthy();
    return [...ok.filter((m) => !m.unreadable), ...ok.filter((m) => m.unreadable)];
  }

  async save(h: Handle, data: Uint8Array): Promise<void> {
    filePath(h); // A bad handle is the caller's bug: fail it before it marks anyone behind.
    const targets = this.#healthy();
    const results = await Promise.allSettled(targets.map((m) => m.backend.save(h, data)));
    results.forEach((r, i) => {
      const m = targets[i]!;
      if (r.status === 'fulfilled') m.saved++;
      else this.markBehind(m.name, `${displayPath(h)}: ${errorLine(r.reason)}`);
    });
    this.#healthy();
  }

  async load(h: Handle, range?: ByteRange): Promise<Uint8Array> {
    return this.#firstAnswer(h, (b) => b.load(h, range));
  }

  async stat(h: Handle): Promise<FileInfo> {
    return this.#firstAnswer(h, (b) => b.stat(h));
  }

  async #firstAnswer<T>(h: Handle, fn: (b: Backend) => Promise<T>): Promise<T> {
    filePath(h);
    const errors: unknown[] = [];
    for (const m of this.#readOrder()) {
      try {
        return await fn(m.backend);
      } catch (e) {
        // A bad range is the same everywhere; anything else may be this location's problem.
        if (isLifeboatError(e, 'INVALID_ARGUMENT')) throw e;
        if (!isLifeboatError(e, 'BACKEND_NOT_FOUND') && !isLifeboatError(e, 'INVALID_DATA')) m.unreadable = true;
        errors.push(e);
      }
    }
    // An unreachable location may hold the file: its (transient) error beats "not found"
    // elsewhere. Only when every location says so is the file missing.
    const hard = errors.find((e) => !isLifeboatError(e, 'BACKEND_NOT_FOUND') && !isLifeboatError(e, 'INVALID_DATA'));
    throw hard ?? errors.find((e) => isLifeboatError(e, 'INVALID_DATA')) ?? errors[0];
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const seen = new Set<string>();
    const errors: unknown[] = [];
    let answered = 0;
    for (const m of this.#readOrder()) {
      const mine: FileInfo[] = [];
      try {
        for await (const info of m.backend.list(type)) mine.push(info);
      } catch (e) {
        errors.push(e);
        continue;
      }
      answered++;
      for (const info of mine) {
        if (seen.has(info.name)) continue;
        seen.add(info.name);
        yield info;
      }
    }
    if (answered === 0) throw errors[0];
  }

  async remove(h: Handle): Promise<void> {
    filePath(h);
    const results = await Promise.allSettled(this.#healthy().map((m) => m.backend.remove(h)));
    if (results.some((r) => r.status === 'fulfilled')) return;
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason);
    throw reasons.find((e) => !isLifeboatError(e, 'BACKEND_NOT_FOUND')) ?? reasons[0];
  }

  async create(): Promise<void> {
    const results = await Promise.allSettled(this.#healthy().map((m) => m.backend.create()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#members.map((m) => m.backend.close()));
  }
}

/** The one-line message of an error, for `reason`. */
export function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 500);
}
