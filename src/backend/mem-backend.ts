import { LifeboatError } from '../errors/index.js';
import type { FileType, Handle } from '../model/index.js';
import type { Backend, ByteRange, FileInfo } from './backend.js';
import { dirOf, displayPath, filePath, parseFilePath } from './layout.js';
import { checkRange } from './range.js';

/**
 * A Backend that keeps files in a Map, for tests. Keyed by the same `filePath` as real
 * backends so that it validates names exactly like them, and copies bytes in and out so that
 * a test cannot pass only because caller and backend share a buffer.
 */
export class MemBackend implements Backend {
  readonly location: string;
  readonly #files = new Map<string, Uint8Array>();

  constructor(location = 'mem:') {
    this.location = location;
  }

  async save(h: Handle, data: Uint8Array): Promise<void> {
    this.#files.set(filePath(h), new Uint8Array(data));
  }

  async load(h: Handle, range?: ByteRange): Promise<Uint8Array> {
    if (range !== undefined) checkRange(h, range);
    const data = this.#get(h);
    if (range === undefined) return data.slice();
    checkRange(h, range, data.length);
    return data.slice(range.offset, range.offset + range.length);
  }

  async stat(h: Handle): Promise<FileInfo> {
    return { name: h.name, size: this.#get(h).length };
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    dirOf(type);
    // A snapshot of the entries: saves and removes during the listing must not make it yield twice.
    const entries = [...this.#files.entries()];
    for (const [path, data] of entries) {
      const h = parseFilePath(path);
      if (h?.type === type) yield { name: h.name, size: data.length };
    }
  }

  async remove(h: Handle): Promise<void> {
    if (!this.#files.delete(filePath(h))) throw this.#notFound(h);
  }

  async create(): Promise<void> {
    if (this.#files.has('config')) {
      throw new LifeboatError('BACKEND_ALREADY_EXISTS', `a repository already exists at ${this.location} (it has a config file); use it, or choose another location`);
    }
  }

  async close(): Promise<void> {}

  #get(h: Handle): Uint8Array {
    const data = this.#files.get(filePath(h));
    if (data === undefined) throw this.#notFound(h);
    return data;
  }

  #notFound(h: Handle): LifeboatError {
    return new LifeboatError('BACKEND_NOT_FOUND', `${displayPath(h)} not found at ${this.location}`, { data: { type: h.type, name: h.name } });
  }
}
