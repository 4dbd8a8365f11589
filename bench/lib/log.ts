// Progress lines on stderr, so that stdout carries only the result table.
const started = Date.now();

function clock(): string {
  const s = Math.round((Date.now() - started) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function progress(message: string): void {
  process.stderr.write(`[bench ${clock()}] ${message}\n`);
}
