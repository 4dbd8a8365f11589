// Makes a repository's snapshots look older, for tests of rules about age (the guard's `fresh`),
// without a clock hook in the product: each snapshot file is replaced by a copy whose time is
// earlier, and the originals are kept aside so the test can put them back byte for byte.
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '../../../src/backend/index.js';
import { systemClock } from '../../../src/lib/index.js';
import { goTimeFromNs } from '../../../src/model/index.js';
import { Repository } from '../../../src/repo/index.js';

const NS_PER_HOUR = 3_600_000_000_000n;

/** Ages every snapshot of the local repository `repoDir` by `hours`; returns the undo. */
export async function ageSnapshots(repoDir: string, passwordFile: string, hours: number): Promise<() => Promise<void>> {
  const backend = new LocalBackend(repoDir);
  const owner = { hostname: hostname(), username: userInfo().username, pid: process.pid, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, isProcessAlive: () => true };
  const password = new Uint8Array(Buffer.from(readFileSync(passwordFile, 'utf8').trim(), 'utf8'));
  const repo = await Repository.open(backend, password, { clock: systemClock, owner });
  const aside = mkdtempSync(join(tmpdir(), 'lifeboat-aged-'));
  const moved: string[] = [];
  const added: string[] = [];
  for (const { id, snapshot } of await repo.listSnapshots()) {
    const older = { ...snapshot, time: goTimeFromNs(snapshot.time.unixNs - BigInt(hours) * NS_PER_HOUR, () => snapshot.time.offsetSeconds) };
    added.push(await repo.saveSnapshot(older));
    renameSync(join(repoDir, 'snapshots', id), join(aside, id));
    moved.push(id);
  }
  await backend.close();
  return async () => {
    for (const id of added) rmSync(join(repoDir, 'snapshots', id), { force: true });
    for (const id of moved) renameSync(join(aside, id), join(repoDir, 'snapshots', id));
    rmSync(aside, { recursive: true, force: true });
  };
}
