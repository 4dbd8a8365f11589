import type { Command } from '../command.js';
import { appsCommand } from './apps.js';
import { backupCommand } from './backup.js';
import { catCommand } from './cat.js';
import { checkCommand } from './check.js';
import { configCommand } from './config.js';
import { drillCommand } from './drill.js';
import { dumpCommand } from './dump.js';
import { guardCommand } from './guard.js';
import { keysCommand } from './keys.js';
import { historyCommand } from './history.js';
import { initCommand } from './init.js';
import { keyCommand } from './key.js';
import { lsCommand } from './ls.js';
import { restoreCommand } from './restore.js';
import { snapshotsCommand } from './snapshots.js';
import { statsCommand } from './stats.js';
import { unlockCommand } from './unlock.js';
import { syncCommand } from './sync.js';
import { locationsCommand } from './locations.js';
import { forgetCommand } from './forget.js';
import { pruneCommand } from './prune.js';

export const COMMANDS: readonly Command[] = [
  initCommand,
  backupCommand,
  snapshotsCommand,
  lsCommand,
  restoreCommand,
  dumpCommand,
  catCommand,
  checkCommand,
  keyCommand,
  unlockCommand,
  statsCommand,
  forgetCommand,
  pruneCommand,
  configCommand,
  appsCommand,
  historyCommand,
  drillCommand,
  keysCommand,
  guardCommand,
  syncCommand,
  locationsCommand,
];
