// Worker thread for check --read-data: verifies whole packs (hash, header, every blob).
import { workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { GarbageMeter } from '../lib/index.js';
import { serveTasks } from '../lib/serve-tasks.js';
import { ScratchCodec, type PackedBlob } from '../repo/index.js';
import { verifyPack, type PackVerdict } from './pack-verify.js';

const key = workerData.key as MasterKey;
// Blobs open into reused scratch memory, and each pack read (up to 16 MiB) is dropped after
// its verdict: collecting after each pack or so keeps that garbage from piling up.
const codec = new ScratchCodec(key);
const open = (id: string, sealed: Uint8Array, ulen: number) => codec.open(id, sealed, ulen);
const garbage = new GarbageMeter(16 * 1024 * 1024);

serveTasks<{ bytes: Uint8Array; indexed: readonly PackedBlob[] }, PackVerdict>(({ bytes, indexed }) => {
  const value = verifyPack(key, bytes, indexed, open);
  garbage.add(bytes.length);
  return { value };
});
