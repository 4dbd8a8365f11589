import { readFileSync } from 'node:fs';

/**
 * uid/gid → name from /etc/passwd and /etc/group, as restic records them in `user`/`group`.
 * Read once per process: a backup looks up the same few IDs thousands of times.
 */
export class UserNames {
  private users: Map<number, string> | undefined;
  private groups: Map<number, string> | undefined;

  constructor(private readonly passwdPath = '/etc/passwd', private readonly groupPath = '/etc/group') {}

  user(uid: number): string {
    this.users ??= readIdFile(this.passwdPath);
    return this.users.get(uid) ?? '';
  }

  group(gid: number): string {
    this.groups ??= readIdFile(this.groupPath);
    return this.groups.get(gid) ?? '';
  }
}

function readIdFile(path: string): Map<number, string> {
  const m = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return m;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]);
  }
  return m;
}
