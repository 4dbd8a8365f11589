import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a known_hosts file says about one host. */
export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

/** OpenSSH writes `host` for port 22 and `[host]:port` otherwise; entries use the same form. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public key blob (its first length-prefixed string), e.g. `ssh-ed25519`. */
export function keyTypeOf(blob: Uint8Array): string | undefined {
  if (blob.length < 4) return undefined;
  const n = Buffer.from(blob.buffer, blob.byteOffset, blob.length).readUInt32BE(0);
  if (n === 0 || n > 64 || 4 + n > blob.length) return undefined;
  return Buffer.from(blob.subarray(4, 4 + n)).toString('latin1');
}

/** One host pattern of an entry: plain, or hashed as `|1|salt|hmac-sha1(salt, name)`. */
function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (salt === undefined || hash === undefined) return false;
    const want = Buffer.from(hash, 'base64');
    const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  return pattern === name;
}

function hostsMatch(field: string, name: string): boolean {
  let hit = false;
  for (const p of field.split(',')) {
    // A negated pattern excludes the host whatever else matches (as in OpenSSH).
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) hit = true;
  }
  return hit;
}

/**
 * Checks the key a server offered against the text of a known_hosts file. Like OpenSSH, a
 * host with entries of the offered key's type none of which matches is a mismatch (a possible
 * man in the middle); entries of other types only do not make the key known. Wildcard
 * patterns and `@cert-authority` lines are not supported and are skipped.
 */
export function checkHostKey(text: string, host: string, port: number, key: Uint8Array): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const type = keyTypeOf(key);
  const b64 = Buffer.from(key).toString('base64');
  let sameType = false;
  let matched = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]!.startsWith('@')) {
      marker = fields[0];
      fields = fields.slice(1);
    }
    if (fields.length < 3 || marker === '@cert-authority') continue;
    const [hosts, ktype, kdata] = fields as [string, string, string];
    if (!hostsMatch(hosts, name)) continue;
    if (marker === '@revoked') {
      if (kdata === b64) return 'revoked';
      continue;
    }
    if (ktype === type) sameType = true;
    if (ktype === type && kdata === b64) matched = true;
  }
  if (matched) return 'match';
  return sameType ? 'mismatch' : 'unknown';
}

/** The line `accept-new` appends: `[host]:port type base64`. */
export function knownHostsLine(host: string, port: number, key: Uint8Array): string {
  return `${knownHostsName(host, port)} ${keyTypeOf(key) ?? 'unknown'} ${Buffer.from(key).toString('base64')}\n`;
}

/** SHA256 fingerprint as OpenSSH prints it (`SHA256:base64-without-padding`), for messages. */
export function fingerprint(key: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
