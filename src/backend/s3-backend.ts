import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { LifeboatError } from '../errors/index.js';
import { mapConcurrent } from '../lib/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { dirOf, displayPath, filePath, parseFilePath } from './layout.js';
import { checkRange } from './range.js';
import { codeForS3, s3Error } from './s3-error.js';
import { s3LocationName } from './location-names.js';

export interface S3Options {
  /** `https://host:port` or `http://host:port`; the bucket goes in the path (path-style). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Folder inside the bucket holding the repository, without slashes around it; may be empty. */
  readonly prefix: string;
  readonly region?: string;
  /** e.g. `STANDARD_IA`; absent: the bucket's default. */
  readonly storageClass?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Extra CA certificates (PEM) to trust, for endpoints with a private CA. */
  readonly ca?: Uint8Array;
  /** Files above this size go up in parts of this size (S3's minimum part is 5 MiB). Default 16 MiB. */
  readonly partSize?: number;
}

const MiB = 1024 * 1024;
const PART_CONCURRENCY = 4;

/**
 * A Backend over an S3-compatible object store (AWS SDK v3, path-style), in restic's object
 * layout under `prefix`, so restic's s3 backend reads the same bucket. A PUT is atomic by
 * nature; large packs go up as multipart uploads, which S3 also publishes only when complete.
 * The SDK's own retries are off: retry is the job of the `withRetry` wrapper.
 */
export class S3Backend implements Backend {
  readonly location: string;
  readonly #client: S3Client;
  readonly #o: S3Options;
  readonly #partSize: number;

  constructor(o: S3Options) {
    this.#o = o;
    this.#partSize = Math.max(5 * MiB, o.partSize ?? 16 * MiB);
    this.location = s3LocationName(o);
    this.#client = new S3Client({
      endpoint: o.endpoint,
      region: o.region ?? 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}) },
      // Checksums only where S3 requires them: many compatible servers do not know the newer
      // CRC headers. Content-MD5 is sent on every upload instead (below).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(o.ca ? { requestHandler: { httpsAgent: new Agent({ ca: Buffer.from(o.ca), keepAlive: true }) } } : {}),
    });
    // Over TLS the body need not be hashed into the signature (S3's UNSIGNED-PAYLOAD, as restic
    // does): TLS protects it in transit and Content-MD5 lets the server check it. That saves a
    // SHA-256 pass over every pack, per location. Plain http keeps the signed payload hash.
    if (o.endpoint.startsWith('https:')) {
      this.#client.middlewareStack.add(
        (next) => async (args) => {
          const req = args.request as { headers?: Record<string, string> };
          if (req.headers) req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
          return next(args);
        },
        { step: 'build', name: 'lifeboatUnsignedPayload' },
      );
    }
  }

  #key(rel: string): string {
    return this.#o.prefix ? `${this.#o.prefix}/${rel}` : rel;
  }

  async save(h: Handle, data: Uint8Array): Promise<void> {
    const key = this.#key(filePath(h));
    const body = Buffer.from(data);
    const storage = this.#o.storageClass ? { StorageClass: this.#o.storageClass as StorageClass } : {};
    try {
      if (body.length <= this.#partSize) {
        await this.#client.send(new PutObjectCommand({ Bucket: this.#o.bucket, Key: key, Body: body, ContentLength: body.length, ContentMD5: md5(body), ...storage }));
      } else {
        await this.#multipart(key, body, storage);
      }
    } catch (e) {
      throw s3Error(e, { op: 'save', what: displayPath(h), location: this.location });
    }
  }

  async #multipart(key: string, body: Buffer, storage: { StorageClass?: StorageClass }): Promise<void> {
    const { UploadId } = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#o.bucket, Key: key, ...storage }));
    if (!UploadId) throw new LifeboatError('BACKEND_IO', `the S3 server at ${this.location} started a multipart upload without an upload id`);
    try {
      const offsets = Array.from({ length: Math.ceil(body.length / this.#partSize) }, (_, i) => i * this.#partSize);
      const parts = await mapConcurrent(offsets, PART_CONCURRENCY, async (off, i) => {
        const part = body.subarray(off, off + this.#partSize);
        const r = await this.#client.send(new UploadPartCommand({ Bucket: this.#o.bucket, Key: key, UploadId, PartNumber: i + 1, Body: part, ContentLength: part.length, ContentMD5: md5(part) }));
        return { PartNumber: i + 1, ETag: r.ETag };
      });
      await this.#client.send(new CompleteMultipartUploadCommand({ Bucket: this.#o.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      // Unfinished parts cost storage and are invisible to listings; drop them (best effort).
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#o.bucket, Key: key, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  async load(h: Handle, range?: ByteRange): Promise<Uint8Array> {
    const key = this.#key(filePath(h));
    if (range !== undefined) checkRange(h, range);
    try {
      // An empty range cannot be asked for in HTTP; its validity depends on the size alone.
      if (range !== undefined && range.length === 0) {
        checkRange(h, range, await this.#size(key));
        return new Uint8Array(0);
      }
      let r;
      try {
        r = await this.#client.send(new GetObjectCommand({ Bucket: this.#o.bucket, Key: key, ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}) }));
      } catch (e) {
        // 416: the range starts past the end; say so like every backend does.
        if (range !== undefined && (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) checkRange(h, range, await this.#size(key));
        throw e;
      }
      const bytes = await r.Body!.transformToByteArray();
      // A server may send more than asked (s3rver sends the whole object for bytes=0-0): where
      // the body covers the range, take the range out of it.
      if (range !== undefined && bytes.length > range.length) {
        const start = coveredFrom(r.ContentRange, bytes.length);
        if (start !== undefined && start <= range.offset && start + bytes.length >= range.offset + range.length) {
          return bytes.slice(range.offset - start, range.offset - start + range.length);
        }
      }
      if (range !== undefined && bytes.length !== range.length) {
        const total = /\/(\d+)$/.exec(r.ContentRange ?? '')?.[1];
        checkRange(h, range, total !== undefined ? Number(total) : range.offset + bytes.length);
        throw new LifeboatError('BACKEND_IO', `the S3 server at ${this.location} returned ${bytes.length} bytes of ${displayPath(h)} instead of ${range.length}; this is retried`);
      }
      return bytes;
    } catch (e) {
      throw s3Error(e, { op: 'load', what: displayPath(h), location: this.location });
    }
  }

  async #size(key: string): Promise<number> {
    const r = await this.#client.send(new HeadObjectCommand({ Bucket: this.#o.bucket, Key: key }));
    return r.ContentLength ?? 0;
  }

  async stat(h: Handle): Promise<FileInfo> {
    const key = this.#key(filePath(h));
    try {
      return { name: h.name, size: await this.#size(key) };
    } catch (e) {
      throw s3Error(e, { op: 'stat', what: displayPath(h), location: this.location });
    }
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const dir = dirOf(type);
    if (type === 'config') {
      const size = await this.#size(this.#key('config')).catch((e: unknown) => {
        if (codeForS3(e) === 'BACKEND_NOT_FOUND') return undefined;
        throw s3Error(e, { op: 'list', what: 'config', location: this.location });
      });
      if (size !== undefined) yield { name: '', size };
      return;
    }
    const base = this.#key('');
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#o.bucket, Prefix: `${base}${dir}/`, ...(token ? { ContinuationToken: token } : {}) }));
      } catch (e) {
        throw s3Error(e, { op: 'list', what: `${dir}/`, location: this.location });
      }
      for (const obj of page.Contents ?? []) {
        const h = obj.Key?.startsWith(base) ? parseFilePath(obj.Key.slice(base.length)) : undefined;
        if (h !== undefined && h.type === type) yield { name: h.name, size: obj.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(h: Handle): Promise<void> {
    const key = this.#key(filePath(h));
    try {
      // S3 deletes a missing key without complaint; the contract wants BACKEND_NOT_FOUND.
      await this.#size(key);
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#o.bucket, Key: key }));
    } catch (e) {
      throw s3Error(e, { op: 'remove', what: displayPath(h), location: this.location });
    }
  }

  async create(): Promise<void> {
    try {
      const bucket = await this.#client.send(new HeadBucketCommand({ Bucket: this.#o.bucket })).then(() => true, (e: unknown) => {
        if (codeForS3(e) === 'BACKEND_NOT_FOUND') return false;
        throw e;
      });
      if (!bucket) {
        const region = this.#o.region;
        await this.#client.send(new CreateBucketCommand({ Bucket: this.#o.bucket, ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {}) }));
      }
      const config = await this.#size(this.#key('config')).then(() => true, (e: unknown) => {
        if (codeForS3(e) === 'BACKEND_NOT_FOUND') return false;
        throw e;
      });
      if (config) throw new LifeboatError('BACKEND_ALREADY_EXISTS', `a repository already exists at ${this.location} (it has a config file); use it, or choose another location`);
    } catch (e) {
      throw s3Error(e, { op: 'create', what: 'the repository', location: this.location });
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

function md5(b: Uint8Array): string {
  return createHash('md5').update(b).digest('base64');
}

/**
 * The offset of the first byte of a body of `length` bytes: from its Content-Range
 * (`bytes a-b/total`), or 0 when there is none (the whole object). Undefined when the header
 * does not describe such a body.
 */
function coveredFrom(contentRange: string | undefined, length: number): number | undefined {
  if (contentRange === undefined) return 0;
  const m = /^bytes (\d+)-(\d+)\//.exec(contentRange);
  if (!m) return undefined;
  const a = Number(m[1]);
  return Number(m[2]) - a + 1 === length ? a : undefined;
}
