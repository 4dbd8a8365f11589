import { LifeboatError, type ErrorCode } from '../errors/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { displayPath } from './layout.js';

export type BackendOp = 'save' | 'load' | 'stat' | 'list' | 'remove' | 'create' | 'close';

/** One kind of failure to inject. */
export interface Fault {
  readonly op: BackendOp;
  /** Only calls on files of this type (for list: listings of this type). */
  readonly type?: FileType;
  /** Which of the matching calls fail, counted from 1 for this fault; absent: every one. */
  readonly nth?: number | readonly number[];
  /** The code of the thrown LifeboatError; default `BACKEND_IO` (retryable). */
  readonly code?: ErrorCode;
  /**
   * `'before'` (default): fail without reaching the wrapped backend; for save, a save that
   * wrote nothing (with atomic saves, the only kind of torn write a reader can ever see).
   * `'after'`: perform the call, then fail: an acknowledgement lost on its way back (the file
   * was saved or removed, the caller thinks not). Not used by list; see `afterItems`.
   */
  readonly when?: 'before' | 'after';
  /** list only: yield this many entries first, then fail (at the end if there are fewer). */
  readonly afterItems?: number;
}

/** One call as the `beforeOp` hook sees it. */
export interface FaultCall {
  readonly op: BackendOp;
  /** 1-based number of this call among all calls. */
  readonly seq: number;
  /** 1-based number of this call among calls of the same op. */
  readonly n: number;
  readonly handle?: Handle | undefined;
  readonly type?: FileType | undefined;
}

export interface FaultPlan {
  readonly faults?: readonly Fault[];
  /**
   * Saves (of `type`, or all) store only the first `keepBytes` bytes and report success:
   * silent damage, for testing that readers check hashes and sizes.
   */
  readonly truncate?: { readonly type?: FileType; readonly keepBytes: number };
  /**
   * Called before every call, before any fault is decided. It may throw (the call fails with
   * that error), wait (the call pauses, to line up a race), or end the process of a crash test
   * at exactly this moment.
   */
  readonly beforeOp?: (call: FaultCall) => void | Promise<void>;
}

export interface FaultyBackend extends Backend {
  /** How many calls each op has received, failed ones included. */
  readonly calls: Readonly<Record<BackendOp, number>>;
}

function fires(nth: Fault['nth'], k: number): boolean {
  if (nth === undefined) return true;
  return typeof nth === 'number' ? nth === k : nth.includes(k);
}

/**
 * Wraps a backend so that it fails when and how `plan` says: for the contract suite, the
 * retry wrapper's tests and crash tests of the repository code. Everything not planned to
 * fail is passed through unchanged.
 */
export function faulty(b: Backend, plan: FaultPlan): FaultyBackend {
  const calls: Record<BackendOp, number> = { save: 0, load: 0, stat: 0, list: 0, remove: 0, create: 0, close: 0 };
  const matched = new Map<Fault, number>();
  let seq = 0;

  /** Counts the call, runs the hook, and returns the fault to inject, if any. */
  async function enter(op: BackendOp, handle: Handle | undefined, type: FileType | undefined): Promise<Fault | undefined> {
    calls[op]++;
    seq++;
    await plan.beforeOp?.({ op, seq, n: calls[op], handle, type });
    let firing: Fault | undefined;
    // Every matching fault counts the call, even when an earlier one fires, so that each
    // fault's `nth` means the same thing whatever else the plan contains.
    for (const f of plan.faults ?? []) {
      if (f.op !== op || (f.type !== undefined && f.type !== type)) continue;
      const k = (matched.get(f) ?? 0) + 1;
      matched.set(f, k);
      if (firing === undefined && fires(f.nth, k)) firing = f;
    }
    return firing;
  }

  function injected(f: Fault, what: string): LifeboatError {
    return new LifeboatError(f.code ?? 'BACKEND_IO', `injected fault: ${f.op} of ${what} at ${b.location} failed (test backend)`, {
      data: { injected: true, op: f.op },
    });
  }

  async function guarded<T>(op: BackendOp, h: Handle | undefined, what: string, fn: () => Promise<T>): Promise<T> {
    const f = await enter(op, h, h?.type);
    if (f === undefined) return fn();
    if (f.when === 'after') await fn();
    throw injected(f, what);
  }

  return {
    location: b.location,
    calls,
    async save(h: Handle, data: Uint8Array): Promise<void> {
      const f = await enter('save', h, h.type);
      if (f !== undefined && f.when !== 'after') throw injected(f, displayPath(h));
      const cut = plan.truncate;
      const stored = cut !== undefined && (cut.type === undefined || cut.type === h.type) ? data.subarray(0, cut.keepBytes) : data;
      await b.save(h, stored);
      if (f !== undefined) throw injected(f, displayPath(h));
    },
    load: (h: Handle, range?: ByteRange) => guarded('load', h, displayPath(h), () => b.load(h, range)),
    stat: (h: Handle) => guarded('stat', h, displayPath(h), () => b.stat(h)),
    remove: (h: Handle) => guarded('remove', h, displayPath(h), () => b.remove(h)),
    create: () => guarded('create', undefined, 'the repository', () => b.create()),
    close: () => guarded('close', undefined, 'the backend', () => b.close()),
    async *list(type: FileType): AsyncIterable<FileInfo> {
      const f = await enter('list', undefined, type);
      if (f !== undefined && f.afterItems === undefined) throw injected(f, `the ${type} files`);
      let n = 0;
      for await (const info of b.list(type)) {
        if (f !== undefined && n === f.afterItems) break;
        n++;
        yield info;
      }
      if (f !== undefined) throw injected(f, `the ${type} files`);
    },
  };
}
