// A smaller deterministic dataset with the same kinds of content as make-data.sh's 2 GiB one:
//   src/  source-like text files of 1..64 KiB, 100 per leaf directory, plus one identical LICENSE per leaf;
//   bin/  four incompressible files (AES-256-CTR keystream, fixed keys), sizes 4:2:1:1;
//   db/dump.sql  a pg_dump-style SQL text (COPY blocks of pgbench_accounts, customers, orders).
// Shares of the total as in the reference: 48% text files, 26% incompressible, 26% dump.
// The same size gives the same bytes on every run; all mtimes are 2024-01-01 00:00:00 UTC.
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');
const MIB = 1024 * 1024;

export type Random = () => number;

/** mulberry32: a small seeded PRNG giving floats in [0, 1). */
export function mulberry32(seed: number): Random {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rnd: Random, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Random, items: readonly T[]): T => items[int(rnd, items.length)]!;

const SYLLABLES = ['ka', 'to', 'ri', 'an', 'el', 'pro', 'con', 'get', 'set', 'data', 'val', 'buf', 'str', 'node', 'item', 'list', 'map', 'key', 'hash', 'file', 'path', 'read', 'write', 'open', 'close', 'init', 'load', 'save', 'sync', 'user', 'name', 'id', 'time', 'size', 'count', 'index', 'error', 'value', 'result', 'config', 'state', 'cache', 'block', 'chunk', 'pack', 'tree', 'blob', 'snap'];
const COMMENT_WORDS = ['the', 'a', 'of', 'to', 'is', 'in', 'and', 'this', 'we', 'must', 'not', 'be', 'when', 'value', 'buffer', 'before', 'after', 'returns', 'handle', 'error', 'file', 'note', 'todo', 'because'];
const KEYWORDS = ['const', 'let', 'return', 'await', 'if', 'export const', 'yield'];
const OPERATORS = [' + ', ' - ', ' * ', ' === ', ' !== ', ' && ', ' || ', ' ?? '];

function makeVocabulary(rnd: Random): string[] {
  const words: string[] = [];
  for (let i = 0; i < 4000; i++) {
    let w = '';
    for (let j = 0, n = 1 + int(rnd, 3); j < n; j++) {
      const s = pick(rnd, SYLLABLES);
      w += j === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
    }
    words.push(w);
  }
  return words;
}

/** Source-like text: identifiers drawn with a skewed (Zipf-like) frequency, nested blocks, comments. */
class TextMaker {
  private readonly vocab: string[];
  constructor(private readonly rnd: Random) {
    this.vocab = makeVocabulary(rnd);
  }

  word(): string {
    return this.vocab[Math.floor(this.vocab.length * this.rnd() ** 3)]!;
  }

  private expr(): string {
    const r = this.rnd;
    switch (int(r, 5)) {
      case 0: return `${this.word()}.${this.word()}(${this.word()}, ${int(r, 10000)})`;
      case 1: return this.word() + pick(r, OPERATORS) + this.word();
      case 2: return `'${this.word()}-${this.word()}'`;
      case 3: return String(int(r, 1 << 20));
      default: return `${this.word()}[${this.word()}]`;
    }
  }

  private line(depth: number): [string, number] {
    const r = this.rnd;
    const ind = '  '.repeat(depth);
    switch (int(r, 10)) {
      case 0: return [`${ind}//${Array.from({ length: 3 + int(r, 10) }, () => ' ' + pick(r, COMMENT_WORDS)).join('')}`, 0];
      case 1: return [`${ind}function ${this.word()}(${this.word()}, ${this.word()}) {`, 1];
      case 2: return [`${ind}if (${this.expr()}) {`, 1];
      case 3: return depth > 0 ? [`${ind.slice(2)}}`, -1] : ['', 0];
      case 4: return [`${ind}import { ${this.word()} } from './${this.word()}.js';`, 0];
      default: return [`${ind}${pick(r, KEYWORDS)} ${this.word()} = ${this.expr()};`, 0];
    }
  }

  file(size: number): Buffer {
    const parts: string[] = [];
    let len = 0;
    let depth = 0;
    while (len < size) {
      const [l, d] = this.line(depth);
      depth = Math.max(0, Math.min(6, depth + d));
      parts.push(l);
      len += l.length + 1;
    }
    return Buffer.from(parts.join('\n') + '\n').subarray(0, size);
  }
}

const LICENSE = Buffer.from(
  'Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files, to deal in the Software without restriction.\n'.repeat(6),
);

/** Writes text files of 1..64 KiB until about `bytes` are written; returns the number of files. */
function writeTextFiles(root: string, bytes: number, rnd: Random): number {
  const text = new TextMaker(rnd);
  let written = 0;
  let files = 0;
  for (let leaf = 0; written < bytes; leaf++) {
    const dir = join(root, `pkg${String(Math.floor(leaf / 10)).padStart(2, '0')}`, `mod${leaf % 10}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'LICENSE'), LICENSE);
    for (let f = 0; f < 100 && written < bytes; f++) {
      const buf = text.file(1024 + int(rnd, 63 * 1024 + 1));
      writeFileSync(join(dir, `${text.word()}_${f}.js`), buf);
      written += buf.length;
      files++;
    }
  }
  return files;
}

function writeKeystream(path: string, bytes: number, label: string): void {
  const key = createHash('sha256').update(label).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zero = Buffer.alloc(MIB);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; left -= MIB) writeSync(fd, cipher.update(zero.subarray(0, Math.min(MIB, left))));
  } finally {
    closeSync(fd);
  }
}

/** Four incompressible files sized 4:2:1:1 of `bytes` (rounded to KiB). */
function writeIncompressible(root: string, bytes: number): void {
  mkdirSync(root, { recursive: true });
  [4, 2, 1, 1].forEach((share, i) => {
    const size = Math.max(1024, Math.floor((bytes * share) / 8 / 1024) * 1024);
    writeKeystream(join(root, `blob${i}.bin`), size, `lifeboat-bench-random-${i}`);
  });
}

const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'Carlos', 'Aisha', 'Wei', 'Yuki', 'Olga', 'Pierre'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Lee', 'Nguyen', 'Kowalski', 'Schmidt', 'Rossi'];
const CITIES = ['Berlin', 'Paris', 'London', 'New York', 'Tokyo', 'Sydney', 'Toronto', 'Madrid', 'Oslo', 'Lima', 'Seoul'];
const DOMAINS = ['example.com', 'mail.test', 'corp.example', 'post.example.org'];
const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'];

function timestamp(rnd: Random): string {
  const ms = Date.UTC(2015, 0, 1) + Math.floor(rnd() * 3000 * 86400_000);
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+00');
}

const ROWS: Record<string, (i: number, rnd: Random) => string> = {
  'public.pgbench_accounts (aid, bid, abalance, filler)': (i) => `${i}\t${1 + Math.floor(i / 100000)}\t0\t${' '.repeat(84)}`,
  'public.customers (id, first_name, last_name, email, city, created_at, balance, notes)': (i, rnd) =>
    [i, pick(rnd, FIRST), pick(rnd, LAST), `user${i}@${pick(rnd, DOMAINS)}`, pick(rnd, CITIES), timestamp(rnd), (rnd() * 20000 - 2000).toFixed(2),
      rnd() < 0.3 ? `note: ${createHash('md5').update(String(rnd())).digest('hex')}` : '\\N'].join('\t'),
  'public.orders (id, customer_id, sku, qty, unit_price, status, ordered_at)': (i, rnd) =>
    [i, 1 + int(rnd, 1_000_000), `SKU-${String(int(rnd, 50000)).padStart(6, '0')}`, 1 + int(rnd, 9), (1 + rnd() * 500).toFixed(2), pick(rnd, STATUSES), timestamp(rnd)].join('\t'),
};

/** A pg_dump-like file of `bytes` bytes: one COPY block per table, 10% / 20% / 70% of the size. */
function writeDump(path: string, bytes: number, rnd: Random): void {
  const fd = openSync(path, 'w');
  let written = 0;
  const put = (s: string): void => {
    const b = Buffer.from(s);
    const room = bytes - written;
    if (room <= 0) return;
    writeSync(fd, b.length > room ? b.subarray(0, room) : b);
    written += Math.min(b.length, room);
  };
  try {
    put('--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nSET client_encoding = \'UTF8\';\n\n');
    const shares = [0.1, 0.3, 1.0];
    Object.entries(ROWS).forEach(([table, row], t) => {
      put(`COPY ${table} FROM stdin;\n`);
      const until = Math.floor(bytes * shares[t]!) - 100;
      let chunk = '';
      for (let i = 1; written + chunk.length < until; i++) {
        chunk += row(i, rnd) + '\n';
        if (chunk.length > 256 * 1024) {
          put(chunk);
          chunk = '';
        }
      }
      put(chunk + '\\.\n\n');
    });
    put('-- PostgreSQL database dump complete\n'.padEnd(bytes - written, '\n'));
  } finally {
    closeSync(fd);
  }
}

function touchTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) touchTree(p);
    utimesSync(p, FIXED_MTIME, FIXED_MTIME);
  }
  utimesSync(dir, FIXED_MTIME, FIXED_MTIME);
}

/** Builds the dataset in `root` (which must not exist yet or be empty). */
export function generateDataset(root: string, mib: number): void {
  const total = mib * MIB;
  const rnd = mulberry32(0x11fe_b0a7 ^ mib);
  mkdirSync(join(root, 'db'), { recursive: true });
  writeTextFiles(join(root, 'src'), Math.floor(total * 0.48), rnd);
  writeIncompressible(join(root, 'bin'), Math.floor(total * 0.26));
  writeDump(join(root, 'db', 'dump.sql'), Math.floor(total * 0.26), rnd);
  touchTree(root);
}
