// Test-only: an S3-compatible server (s3rver, from npm) on a random loopback port, over TLS
// with a certificate made for the test. TLS matters: restic 0.14 (minio-go) signs plain-http
// uploads with aws-chunked streaming signatures, which s3rver stores undecoded; over https it
// sends plain bodies, which s3rver handles. Runs as a child process so that a test can kill it
// mid-upload and start it again on the same port and data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sshd.test-util.js';

export const S3_ACCESS_KEY = 'S3RVER';
export const S3_SECRET_KEY = 'S3RVER';

export interface S3ServerFixture {
  readonly port: number;
  /** `https://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** The CA (here: the self-signed server certificate), PEM. */
  readonly caFile: string;
  readonly ca: Buffer;
  readonly dir: string;
  /** Buckets made at start; more with `lifeboat init` (create makes the bucket). */
  readonly buckets: readonly string[];
  stop(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

const SERVER_SCRIPT = `
const S3rver = require(process.argv[2]);
const fs = require('node:fs');
const [,, , dir, port, key, cert, buckets] = process.argv;
new S3rver({ address: '127.0.0.1', port: Number(port), silent: true, directory: dir,
  key: fs.readFileSync(key), cert: fs.readFileSync(cert),
  configureBuckets: buckets.split(',').filter(Boolean).map((name) => ({ name })) })
  .run().then(() => process.stdout.write('ready\\n'), (e) => { console.error(e); process.exit(1); });
`;

export function s3ServerAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('s3rver');
    return spawnSync('openssl', ['version']).status === 0;
  } catch {
    return false;
  }
}

export async function startS3Server(buckets: readonly string[] = ['lifeboat-test']): Promise<S3ServerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-s3-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  const script = join(dir, 'server.cjs');
  writeFileSync(script, SERVER_SCRIPT);
  const s3rver = createRequire(import.meta.url).resolve('s3rver');
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const p = spawn(process.execPath, [script, s3rver, data, String(port), key, cert, buckets.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    await new Promise<void>((resolve, reject) => {
      p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      p.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)));
    });
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((res) => p.once('exit', res));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    endpoint: `https://127.0.0.1:${port}`,
    caFile: cert,
    ca: readFileSync(cert),
    dir,
    buckets,
    stop,
    start,
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
