// Worker thread for check --read-data: verifies whole packs (hash, header, every blob).
import { workerData } from 'node:worker_threads';
import type { MasterKey } from '../crypto/index.js';
import { serveTasks } from '../lib/serve-tasks.js';
import type { PackedBlob } from '../repo/index.js';
import { verifyPack, type PackVerdict } from './pack-verify.js';

const key = workerData.key as MasterKey;

serveTasks<{ bytes: Uint8Array; indexed: readonly PackedBlob[] }, PackVerdict>(({ bytes, indexed }) => ({ value: verifyPack(key, bytes, indexed) }));
