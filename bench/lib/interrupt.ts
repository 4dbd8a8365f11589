// Ctrl-C / SIGTERM during a run: kill the measured command, undo the dataset change, exit.
import { progress } from './log.js';
import { killRunning } from './run.js';

/** Installs the handler; returns a function that removes it again. */
export function onInterrupt(cleanup: () => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    progress(`${signal}: stopping`);
    killRunning();
    try {
      cleanup();
    } finally {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
