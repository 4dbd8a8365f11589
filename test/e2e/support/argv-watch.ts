// Samples the argument lists of every process while a command runs, to prove that no
// secret is ever passed on a command line (where any user of the machine can read it).
import { readdirSync, readFileSync } from 'node:fs';

export class ArgvWatch {
  readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  start(everyMs = 3): void {
    const sample = () => {
      for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        try {
          const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8');
          if (argv !== '') this.seen.add(argv.split('\0').join(' ').trim());
        } catch {
          // exited meanwhile
        }
      }
    };
    sample();
    this.timer = setInterval(sample, everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Command lines that contain any of `secrets`. */
  leaks(secrets: readonly string[]): string[] {
    return [...this.seen].filter((a) => secrets.some((s) => a.includes(s)));
  }
}
