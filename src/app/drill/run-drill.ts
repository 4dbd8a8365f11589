import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { presetKeys, presetProbes, type ProbeSpec } from '../../apps/probes/index.js';
import { LifeboatError } from '../../errors/index.js';
import type { Clock } from '../../lib/index.js';
import { goTimeToDate } from '../../model/index.js';
import type { Repository } from '../../repo/index.js';
import type { DbConnection, ProcessRunner } from '../../sources/index.js';
import { APP_MANIFEST_PATH, KEY_INVENTORY_PATH, parseAppManifest, parseDumpManifest, parseKeyInventory, verifyRestoredFiles, type AppManifest, type EscrowedKey } from '../../verify/index.js';
import { runRestore } from '../browse.js';
import type { Environment } from '../environment.js';
import { findAppSnapshot } from '../app-snapshots.js';
import { DbClient } from './db-client.js';
import { mauticPrefix, runProbes, type ProbeContext } from './drill-probes.js';
import type { DatabaseDrill, DrillReport, ProbeDrill } from './drill-report.js';
import { hostTag } from './scratch-names.js';
import { ScratchSpace, sweepLeftovers, type ScratchOptions } from './scratch-space.js';

export interface DrillInput {
  readonly app: string;
  readonly location: string;
  readonly repo: Repository;
  /** `latest` or a snapshot ID (prefix); only snapshots tagged `app:NAME` count. */
  readonly snapshot: string;
  readonly keep: boolean;
  readonly stateDir: string;
  readonly prefix: string;
  /** The servers scratch databases are made on (the app's own, normally). */
  readonly servers: Partial<Record<'postgres' | 'mysql', DbConnection>>;
  /** Probes declared in the config, on top of the preset's. */
  readonly extraProbes?: readonly ProbeSpec[];
  readonly runner: ProcessRunner;
  readonly clock: Clock;
  readonly env: Environment;
}

const read = (dir: string, path: string): Uint8Array | undefined => {
  try {
    return new Uint8Array(readFileSync(join(dir, path)));
  } catch {
    return undefined;
  }
};

type Clients = Partial<Record<'postgres' | 'mysql', DbClient>>;

/** Restores the snapshot into scratch space, checks it end to end, and always cleans up. */
export async function runDrill(input: DrillInput): Promise<DrillReport> {
  const { env, clock } = input;
  const started = clock.now().getTime();
  const clients = Object.fromEntries(Object.entries(input.servers).map(([engine, conn]) => [engine, new DbClient(input.runner, engine as 'postgres' | 'mysql', conn!)])) as Clients;
  const scratchOpts: ScratchOptions = { stateDir: input.stateDir, prefix: input.prefix, owner: { hostTag: hostTag(env.hostname), pid: env.pid }, isProcessAlive: (pid) => env.isProcessAlive(pid) };
  const swept = await sweepLeftovers(scratchOpts, Object.values(clients));
  await input.repo.loadIndex();
  const { id, snapshot } = await findAppSnapshot(input.repo, input.app, input.snapshot);
  const space = new ScratchSpace(scratchOpts);
  const unhook = env.onInterrupt?.(() => space.dispose());
  const problems: string[] = [];
  try {
    const target = join(space.dir, 'restore');
    const t0 = clock.now().getTime();
    const restored = await runRestore(input.repo, { snapshot: id, target, asRoot: env.uid === 0 });
    for (const e of restored.errors.slice(0, 5)) problems.push(`restore: ${e.path}: ${e.message}`);
    const files = await verifyRestoredFiles(input.repo, snapshot.tree, target);
    if (files.mismatchCount > 0) problems.push(`${files.mismatchCount} restored file(s) differ from the snapshot, e.g. ${files.mismatched[0]}`);
    const manifest = readManifest(target, problems);
    const { keys, missing } = escrowedKeys(target, manifest, id, problems);
    const dbs = await restoreDatabases(target, space, clients, clock, problems);
    const recoveryTimeMs = clock.now().getTime() - t0;
    const probes = await probeRestored(input, target, manifest, keys, dbs, clients, problems);
    return {
      app: input.app,
      location: input.location,
      snapshot: id,
      snapshotTime: goTimeToDate(snapshot.time).toISOString(),
      ok: problems.length === 0,
      problems,
      files: { files: files.files, bytes: files.bytes, mismatched: files.mismatched, mismatchCount: files.mismatchCount, restoreErrors: restored.errors.length },
      databases: dbs.map(({ scratchName, ...d }) => ({ ...d, ...(input.keep && scratchName ? { scratch: scratchName } : {}) })),
      keys: { escrowed: [...keys.keys()], missing },
      probes,
      keysProven: probes.some((p) => p.verdict === 'passed'),
      recoveryTimeMs,
      durationMs: clock.now().getTime() - started,
      swept,
      ...(input.keep ? { kept: { directory: space.dir, databases: dbs.flatMap((d) => (d.scratchName ? [d.scratchName] : [])) } } : {}),
    };
  } finally {
    if (!input.keep) await space.dispose();
    unhook?.();
  }
}

/** The escrowed keys' bytes from the restored /secrets, and the keys the app needs that are not there. */
function escrowedKeys(target: string, manifest: AppManifest | undefined, id: string, problems: string[]): { keys: Map<string, Uint8Array>; missing: string[] } {
  const keys = new Map<string, Uint8Array>();
  for (const k of readEscrow(target, problems)) {
    const bytes = read(target, k.path);
    if (bytes) keys.set(k.name, bytes);
    else problems.push(`key ${k.name} is listed in ${KEY_INVENTORY_PATH} but ${k.path} is not in the snapshot`);
  }
  const missing = missingKeys(manifest, keys);
  for (const m of missing) problems.push(`key ${m} is NOT in snapshot ${id.slice(0, 8)}: without it the app's encrypted data cannot be opened; add it to the app's secrets and make a backup`);
  return { keys, missing };
}

/** The preset's and the config's probes, with the escrowed keys, on the scratch databases and restored files. */
async function probeRestored(input: DrillInput, target: string, manifest: AppManifest | undefined, keys: ReadonlyMap<string, Uint8Array>, dbs: readonly { id: string; scratchName?: string }[], clients: Clients, problems: string[]): Promise<ProbeDrill[]> {
  const root = manifest?.root ?? undefined;
  const databases: ProbeContext['databases'] = {};
  for (const engine of ['postgres', 'mysql'] as const) {
    const d = dbs.find((x) => x.id.startsWith(`${engine}/`) && x.scratchName);
    if (d?.scratchName && clients[engine]) databases[engine] = { client: clients[engine], database: d.scratchName };
  }
  const specs = [...presetProbes(manifest?.preset ?? null), ...(input.extraProbes ?? [])];
  const probes = await runProbes(specs, {
    keys,
    databases,
    ...(root ? { fileRoots: [join(target, root), join(target, 'secrets', 'files', root)] } : {}),
    // The secret copy of local.php holds the prefix when the config directory is not a file source.
    tablePrefix: root ? mauticPrefix(join(target, root)) || mauticPrefix(join(target, 'secrets', 'files', root)) : '',
  });
  for (const p of probes.filter((x) => x.verdict === 'failed')) {
    problems.push(p.key ? `key ${p.key} does not open ${p.failed} of ${p.tried} values of ${p.name}${p.reason ? ` (${p.reason})` : ''}` : `${p.name}: ${p.reason ?? 'no key to try'}`);
  }
  return probes;
}

function readManifest(target: string, problems: string[]): AppManifest | undefined {
  const bytes = read(target, APP_MANIFEST_PATH);
  if (!bytes) {
    problems.push(`the snapshot has no ${APP_MANIFEST_PATH}: it was not made by "lifeboat backup --app"`);
    return undefined;
  }
  try {
    return parseAppManifest(bytes);
  } catch (e) {
    problems.push((e as Error).message);
    return undefined;
  }
}

function readEscrow(target: string, problems: string[]): EscrowedKey[] {
  const bytes = read(target, KEY_INVENTORY_PATH);
  if (!bytes) return [];
  try {
    return parseKeyInventory(bytes);
  } catch (e) {
    problems.push((e as Error).message);
    return [];
  }
}

/** Keys the app declared (then) or its preset needs, that the snapshot does not carry. */
function missingKeys(m: AppManifest | undefined, keys: ReadonlyMap<string, Uint8Array>): string[] {
  if (!m) return [];
  const wanted = [...m.secrets, ...presetKeys(m.preset)];
  return [...new Set(wanted)].filter((w) => !w.split('|').some((alt) => keys.has(alt)));
}

async function restoreDatabases(target: string, space: ScratchSpace, clients: Partial<Record<'postgres' | 'mysql', DbClient>>, clock: Clock, problems: string[]): Promise<(DatabaseDrill & { scratchName?: string })[]> {
  const out: (DatabaseDrill & { scratchName?: string })[] = [];
  for (const engine of ['postgres', 'mysql'] as const) {
    const dir = join(target, 'databases', engine);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      const t0 = clock.now().getTime();
      let id = `${engine}/${f.slice(0, -5)}`;
      try {
        const meta = parseDumpManifest(readFileSync(join(dir, f)), `/databases/${engine}/${f}`);
        id = `${engine}/${meta.database}`;
        const client = clients[engine];
        if (!client) throw new LifeboatError('CONFIG_INVALID', `no ${engine} server to restore ${id} into; the app declares none`);
        const name = await space.createDatabase(client);
        await client.restore(name, createReadStream(join(dir, meta.dump)), () => clock.now());
        const mismatched: DatabaseDrill['mismatched'][number][] = [];
        for (const t of meta.tables) {
          let actual: number | null;
          try {
            actual = await client.countRows(name, t.name);
          } catch {
            actual = null;
          }
          if (actual !== t.rows) mismatched.push({ table: t.name, expected: t.rows, actual });
        }
        if (mismatched.length) problems.push(`${id}: ${mismatched.length} table(s) differ from the row counts recorded at backup, e.g. ${mismatched[0]!.table} (${mismatched[0]!.expected} recorded, ${mismatched[0]!.actual ?? 'missing'} restored)`);
        out.push({ id, ok: mismatched.length === 0, tables: meta.tables.length, mismatched: mismatched.slice(0, 20), durationMs: clock.now().getTime() - t0, scratchName: name });
      } catch (e) {
        if (e instanceof LifeboatError && e.code === 'INTERRUPTED') throw e;
        const msg = (e as Error).message;
        problems.push(`${id}: ${msg}`);
        out.push({ id, ok: false, tables: 0, mismatched: [], durationMs: clock.now().getTime() - t0, error: msg });
      }
    }
  }
  return out;
}
