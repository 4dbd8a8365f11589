/** Where a command writes: results to stdout, progress and errors to stderr. */
export interface Output {
  readonly json: boolean;
  readonly quiet: boolean;
  /** True when progress may be drawn (stderr is a terminal, not --json, not --quiet). */
  readonly interactive: boolean;
  line(text: string): void;
  write(chunk: Uint8Array | string): Promise<void>;
  error(text: string): void;
  /** Replaces the current progress line (terminal only). */
  progress(text: string): void;
  clearProgress(): void;
}

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function createOutput(s: Streams, opts: { json: boolean; quiet: boolean; stderrIsTTY: boolean }): Output {
  let progressShown = false;
  const interactive = opts.stderrIsTTY && !opts.json && !opts.quiet;
  const clear = () => {
    if (progressShown) s.stderr.write('\r\x1b[2K');
    progressShown = false;
  };
  return {
    json: opts.json,
    quiet: opts.quiet,
    interactive,
    line(text) {
      clear();
      s.stdout.write(text + '\n');
    },
    write(chunk) {
      return new Promise((resolve, reject) => {
        const ok = s.stdout.write(chunk, (err) => (err ? reject(err) : undefined));
        if (ok) resolve();
        else s.stdout.once('drain', () => resolve());
      });
    },
    error(text) {
      clear();
      s.stderr.write(text + '\n');
    },
    progress(text) {
      if (!interactive) return;
      s.stderr.write('\r\x1b[2K' + text);
      progressShown = true;
    },
    clearProgress: clear,
  };
}
