/** Kinds of files a repository holds on a backend. */
export const FILE_TYPES = ['config', 'key', 'snapshot', 'index', 'data', 'lock'] as const;
export type FileType = (typeof FILE_TYPES)[number];

/** A file on a backend: its kind and name (the hex ID; empty for `config`). */
export interface Handle {
  readonly type: FileType;
  readonly name: string;
}

export type BlobType = 'data' | 'tree';
