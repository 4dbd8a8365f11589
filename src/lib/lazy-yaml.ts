import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

// The yaml package is about 70 modules: some 100 ms and 10 MiB of RSS at start-up, for every
// command. Only commands that read lifeboat.yaml (or a Rails file) need it, so it is loaded on
// first use, through these stand-ins for the few functions Lifeboat calls.

let loaded: typeof Yaml | undefined;

function yaml(): typeof Yaml {
  // yaml's Node entry point is CommonJS, so a synchronous require works wherever ESM import would.
  return (loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

export const isMap: typeof Yaml.isMap = ((n: unknown) => yaml().isMap(n)) as typeof Yaml.isMap;
export const isSeq: typeof Yaml.isSeq = ((n: unknown) => yaml().isSeq(n)) as typeof Yaml.isSeq;
export const isScalar: typeof Yaml.isScalar = ((n: unknown) => yaml().isScalar(n)) as typeof Yaml.isScalar;
export const isAlias: typeof Yaml.isAlias = ((n: unknown) => yaml().isAlias(n)) as typeof Yaml.isAlias;
export const parseDocument: typeof Yaml.parseDocument = ((...a: Parameters<typeof Yaml.parseDocument>) => yaml().parseDocument(...a)) as typeof Yaml.parseDocument;
export const parseYaml: typeof Yaml.parse = ((...a: Parameters<typeof Yaml.parse>) => yaml().parse(...a)) as typeof Yaml.parse;

export function newLineCounter(): Yaml.LineCounter {
  return new (yaml().LineCounter)();
}
