import { formatBytes, formatDuration } from './common.js';
import type { Output } from './output.js';

/** Draws a throttled one-line progress display on the terminal (nothing otherwise). */
export class ProgressLine {
  private last = 0;
  private readonly started = Date.now();

  constructor(private readonly out: Output, private readonly intervalMs = 200) {}

  elapsedMs(): number {
    return Date.now() - this.started;
  }

  update(render: (elapsedMs: number) => string, force = false): void {
    if (!this.out.interactive) return;
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.out.progress(render(now - this.started));
  }

  /** "[0:12] 1234 files 1.2 GiB, 95 MiB/s, ETA 0:30" */
  static describe(elapsedMs: number, files: number, bytes: number, totalFiles?: number, totalBytes?: number): string {
    const rate = elapsedMs > 0 ? (bytes / elapsedMs) * 1000 : 0;
    let s = `[${formatDuration(elapsedMs)}] ${files}${totalFiles ? `/${totalFiles}` : ''} files, ${formatBytes(bytes)}${totalBytes ? `/${formatBytes(totalBytes)}` : ''}, ${formatBytes(rate)}/s`;
    if (totalBytes && rate > 0 && bytes <= totalBytes) s += `, ETA ${formatDuration(((totalBytes - bytes) / rate) * 1000)}`;
    return s;
  }
}
