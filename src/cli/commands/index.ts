import type { Command } from '../command.js';

/** A command by name; its module (and what that imports) is loaded only when it runs. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

// Each command imports a different part of app/: loading all of them up front cost every
// command some 150 modules (better than 100 ms) that only the others use.
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'init', load: async () => (await import('./init.js')).initCommand },
  { name: 'backup', load: async () => (await import('./backup.js')).backupCommand },
  { name: 'snapshots', load: async () => (await import('./snapshots.js')).snapshotsCommand },
  { name: 'ls', load: async () => (await import('./ls.js')).lsCommand },
  { name: 'restore', load: async () => (await import('./restore.js')).restoreCommand },
  { name: 'dump', load: async () => (await import('./dump.js')).dumpCommand },
  { name: 'cat', load: async () => (await import('./cat.js')).catCommand },
  { name: 'check', load: async () => (await import('./check.js')).checkCommand },
  { name: 'key', load: async () => (await import('./key.js')).keyCommand },
  { name: 'unlock', load: async () => (await import('./unlock.js')).unlockCommand },
  { name: 'stats', load: async () => (await import('./stats.js')).statsCommand },
  { name: 'forget', load: async () => (await import('./forget.js')).forgetCommand },
  { name: 'prune', load: async () => (await import('./prune.js')).pruneCommand },
  { name: 'config', load: async () => (await import('./config.js')).configCommand },
  { name: 'apps', load: async () => (await import('./apps.js')).appsCommand },
  { name: 'history', load: async () => (await import('./history.js')).historyCommand },
  { name: 'drill', load: async () => (await import('./drill.js')).drillCommand },
  { name: 'keys', load: async () => (await import('./keys.js')).keysCommand },
  { name: 'guard', load: async () => (await import('./guard.js')).guardCommand },
  { name: 'sync', load: async () => (await import('./sync.js')).syncCommand },
  { name: 'locations', load: async () => (await import('./locations.js')).locationsCommand },
];
