import { open, parseKeyFile } from '../crypto/index.js';
import { LifeboatError } from '../errors/index.js';
import type { FileType, Id } from '../model/index.js';
import { decodePackHeader, encodeRepoConfig, parseHeaderLength, type Repository } from '../repo/index.js';
import { findSnapshot } from './snapshot-select.js';

export const CAT_KINDS = ['config', 'snapshot', 'index', 'key', 'pack', 'blob', 'lock'] as const;
export type CatKind = (typeof CAT_KINDS)[number];

/** The decrypted content of one repository file, as restic's `cat` prints it. */
export async function catFile(repo: Repository, kind: CatKind, ref: string): Promise<Uint8Array> {
  const text = (s: string) => new TextEncoder().encode(s + '\n');
  switch (kind) {
    case 'config':
      return text(new TextDecoder().decode(encodeRepoConfig(repo.config)));
    case 'key': {
      const id = await resolveId(repo, 'key', ref);
      const info = parseKeyFile(await repo.backend.load({ type: 'key', name: id }));
      // The data field wraps the master key under the password: show the metadata only.
      return text(JSON.stringify({ id, created: info.created, username: info.username, hostname: info.hostname, kdf: info.kdf, ...info.params }));
    }
    case 'snapshot': {
      const { id } = await findSnapshot(repo, ref);
      return Buffer.concat([await repo.loadUnpacked('snapshot', id), Buffer.from('\n')]);
    }
    case 'index':
    case 'lock': {
      const id = await resolveId(repo, kind, ref);
      return repo.loadUnpacked(kind, id);
    }
    case 'pack': {
      const id = await resolveId(repo, 'data', ref);
      const h = { type: 'data' as const, name: id };
      const { size } = await repo.backend.stat(h);
      const hlen = parseHeaderLength(await repo.backend.load(h, { offset: size - 4, length: 4 }), size);
      const header = open(repo.key, await repo.backend.load(h, { offset: size - 4 - hlen, length: hlen }));
      return text(JSON.stringify({ id, size, blobs: decodePackHeader(header) }));
    }
    case 'blob': {
      await repo.loadIndex();
      const loc = repo.index.lookup(ref);
      if (!loc) throw new LifeboatError('BLOB_NOT_FOUND', `blob ${ref} is not in the index (give the full 64-digit ID)`);
      return repo.loadBlob(loc.type, ref);
    }
  }
}

async function resolveId(repo: Repository, type: FileType, ref: string): Promise<Id> {
  if (ref === '') throw new LifeboatError('INVALID_ARGUMENT', 'give the ID (or a unique prefix) of the file to print');
  const ids = (await repo.listIds(type)).filter((id) => id.startsWith(ref));
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new LifeboatError('INVALID_ARGUMENT', `no ${type} file with ID ${ref}`);
  throw new LifeboatError('INVALID_ARGUMENT', `the prefix ${ref} matches ${ids.length} ${type} files; give more digits`);
}
