/**
 * Everything Lifeboat takes from the process, gathered by bin/ and passed down, so that
 * the library runs the same under tests (which build their own Environment).
 */
export interface Environment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  readonly hostname: string;
  readonly username: string;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  isProcessAlive(pid: number): boolean;
  /** Standard input as bytes (for backup --stdin). */
  stdin(): AsyncIterable<Uint8Array>;
  /** Reads a line from the terminal without echo (for passwords); undefined when there is no terminal. */
  promptSecret?(prompt: string): Promise<string>;
  /**
   * Registers work to finish before the process exits on SIGINT/SIGTERM (a drill drops its
   * scratch databases); returns the function that unregisters it. Absent: nothing to hook.
   */
  onInterrupt?(cleanup: () => Promise<unknown>): () => void;
}
