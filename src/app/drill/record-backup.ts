import { join } from 'node:path';
import type { Clock } from '../../lib/index.js';
import { JOURNAL_FILE, openJournal } from '../../journal/index.js';
import type { AppBackupResult } from '../app-backup.js';
import type { LifeboatConfig } from '../config/config-types.js';
import type { Environment } from '../environment.js';
import { stateDirFor } from '../state-dir.js';

/**
 * Records an app backup in the journal, one record per location of the app (the mirror writes
 * every location in the same run). Never throws: the journal must not fail a backup.
 */
export function recordAppBackup(config: LifeboatConfig, app: string, env: Environment, clock: Clock, started: Date, outcome: { result: AppBackupResult } | { error: Error }): void {
  try {
    const journal = openJournal(join(stateDirFor(env, config.stateDir), JOURNAL_FILE), clock);
    const durationMs = clock.now().getTime() - started.getTime();
    for (const location of config.apps[app]?.locations ?? []) {
      if ('result' in outcome) {
        const r = outcome.result;
        journal.record({ kind: 'backup', app, location, snapshot: r.snapshotId, startedAt: started, durationMs, ok: r.errors.length === 0, summary: `snapshot ${r.snapshotId.slice(0, 8)}: ${r.databases.length} database(s), ${r.secrets.length} secret(s), ${r.errors.length} unreadable`, details: { databases: r.databases, secrets: r.secrets, filesNew: r.filesNew, dataAdded: r.dataAdded } });
      } else {
        journal.record({ kind: 'backup', app, location, startedAt: started, durationMs, ok: false, summary: `backup failed: ${outcome.error.message}` });
      }
    }
    journal.close();
  } catch {
    // The journal is a convenience; see journal/README.md.
  }
}
