import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isLifeboatError, type ErrorCode } from '../errors/index.js';
import { runBackendContract } from './backend.contract.js';
import { withRetry } from './retry-backend.js';
import { S3Backend, type S3Options } from './s3-backend.js';
import { codeForS3 } from './s3-error.js';
import { S3_ACCESS_KEY, S3_SECRET_KEY, s3ServerAvailable, startS3Server, type S3ServerFixture } from './s3-server.test-util.js';
import { rejectsWith, file } from './backend-test.test-util.js';

const skip = s3ServerAvailable() ? false : 'needs s3rver and openssl';
let server: S3ServerFixture;
let counter = 0;

before(async () => {
  if (!skip) server = await startS3Server(['lifeboat-test']);
});
after(async () => {
  await server?.cleanup();
});

function opts(over: Partial<S3Options> = {}): S3Options {
  return {
    endpoint: server.endpoint,
    bucket: 'lifeboat-test',
    prefix: `repo-${++counter}/sub`,
    accessKeyId: S3_ACCESS_KEY,
    secretAccessKey: S3_SECRET_KEY,
    ca: server.ca,
    ...over,
  };
}

if (!skip) {
  // Behind withRetry: s3rver's file store sometimes answers 500 to concurrent deletes in one
  // folder (it races removing emptied folders); a transient error is what it is.
  const retried = (b: S3Backend) => withRetry(b, { attempts: 5, baseDelayMs: 10 });
  runBackendContract('s3 (s3rver over TLS)', async () => ({ backend: retried(new S3Backend(opts())), cleanup: async () => undefined }));
  // Small parts, so the contract's 20 MiB file goes up as a multipart upload.
  runBackendContract('s3 multipart', async () => ({ backend: retried(new S3Backend(opts({ partSize: 5 * 1024 * 1024 }))), cleanup: async () => undefined }));
}

describe('S3Backend', { skip }, () => {
  it('keeps restic object keys under the prefix; create makes a missing bucket', async () => {
    const bucket = `lifeboat-new-${++counter}`;
    const b = new S3Backend(opts({ bucket, prefix: 'a/b' }));
    try {
      await b.create();
      const pack = file('data', 1000);
      await b.save(pack.h, pack.data);
      assert.equal(b.location, `s3:${server.endpoint}/${bucket}/a/b`);
      // s3rver keeps each object as a file named after its key.
      const stored = readFileSync(join(server.dir, 'data', bucket, 'a', 'b', 'data', pack.h.name.slice(0, 2), `${pack.h.name}._S3rver_object`));
      assert.ok(stored.equals(Buffer.from(pack.data)));
    } finally {
      await b.close();
    }
  });

  it('wrong credentials are BACKEND_AUTH_FAILED, not retried, and never printed', async () => {
    let retries = 0;
    const secret = 'wrong-secret-0123456789';
    const b = withRetry(new S3Backend(opts({ accessKeyId: 'NOPE', secretAccessKey: secret })), { attempts: 3, baseDelayMs: 1, onRetry: () => retries++ });
    // HEAD answers carry no error name: only "refused" (permanent) is known.
    await assert.rejects(b.stat({ type: 'config', name: '' }), (e: unknown) => isLifeboatError(e) && !e.retryable && !e.message.includes(secret));
    await assert.rejects(b.load({ type: 'config', name: '' }), (e: unknown) => {
      assert.ok(isLifeboatError(e));
      assert.equal(e.code, 'BACKEND_AUTH_FAILED', e.message);
      assert.ok(!e.message.includes(secret) && !JSON.stringify(e.data).includes(secret));
      return true;
    });
    assert.equal(retries, 0);
    await b.close();
  });

  it('a stopped server is transient, and the backend works again once it is back', async () => {
    const b = new S3Backend(opts());
    try {
      await b.create();
      await server.stop();
      const f = file('index');
      await rejectsWith(b.save(f.h, f.data), 'BACKEND_IO', /no answer \(ECONNREFUSED\)/);
      await server.start();
      await withRetry(b, { attempts: 5, baseDelayMs: 20 }).save(f.h, f.data);
      assert.equal((await b.stat(f.h)).size, f.data.length);
    } finally {
      await b.close();
    }
  });

  it('maps S3 error names and statuses to backend codes', () => {
    const err = (name: string, status?: number) => Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
    const table: [Error, ErrorCode][] = [
      [err('NoSuchKey', 404), 'BACKEND_NOT_FOUND'],
      [err('NotFound', 404), 'BACKEND_NOT_FOUND'],
      [err('NoSuchBucket', 404), 'BACKEND_NOT_FOUND'],
      [err('InvalidAccessKeyId', 403), 'BACKEND_AUTH_FAILED'],
      [err('SignatureDoesNotMatch', 403), 'BACKEND_AUTH_FAILED'],
      [err('AccessDenied', 403), 'BACKEND_PERMISSION_DENIED'],
      [err('QuotaExceeded', 403), 'BACKEND_NO_SPACE'],
      [err('InternalError', 500), 'BACKEND_IO'],
      [err('SlowDown', 503), 'BACKEND_IO'],
      [Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'BACKEND_IO'],
    ];
    for (const [e, code] of table) assert.equal(codeForS3(e), code, e.name);
  });
});
