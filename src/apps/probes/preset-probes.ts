import type { ProbeFormat } from './probe.js';

/**
 * Where a probe finds its samples: rows of an SQL query (one text column of stored values)
 * run on the app's database, a file of the app (relative to its root), or values given in the
 * config (an Active Storage link of the old site needs no database at all).
 */
export type SampleSource =
  | { readonly kind: 'sql'; readonly engine: 'postgres' | 'mysql'; readonly sql: string; readonly extract?: 'php-serialized-strings' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'values'; readonly values: readonly string[] };

/** One key probe: which key (the first of `keys` the snapshot escrows), which format, which samples. */
export interface ProbeSpec {
  readonly name: string;
  readonly format: ProbeFormat;
  readonly keys: readonly string[];
  readonly samples: SampleSource;
}

/** At most this many values per probe: enough to prove a key, cheap on a big database. */
export const SAMPLE_LIMIT = 20;

// Each query yields only non-empty stored (encrypted) values; it never decrypts anything.
const DECIDIM: readonly ProbeSpec[] = [
  {
    name: 'decidim_organizations.smtp_settings encrypted_password',
    format: 'decidim-attribute',
    keys: ['SECRET_KEY_BASE'],
    samples: { kind: 'sql', engine: 'postgres', sql: `SELECT smtp_settings->>'encrypted_password' FROM decidim_organizations WHERE coalesce(smtp_settings->>'encrypted_password', '') <> '' LIMIT ${SAMPLE_LIMIT}` },
  },
  {
    name: 'decidim_organizations.omniauth_settings secrets',
    format: 'decidim-attribute',
    keys: ['SECRET_KEY_BASE'],
    samples: { kind: 'sql', engine: 'postgres', sql: `SELECT s.value FROM decidim_organizations o, jsonb_each_text(o.omniauth_settings::jsonb) s WHERE s.key LIKE '%secret%' AND coalesce(s.value, '') <> '' LIMIT ${SAMPLE_LIMIT}` },
  },
  {
    name: 'decidim_authorizations.metadata',
    format: 'decidim-attribute',
    keys: ['SECRET_KEY_BASE'],
    samples: { kind: 'sql', engine: 'postgres', sql: `SELECT m.value FROM decidim_authorizations a, jsonb_each_text(a.metadata::jsonb) m WHERE coalesce(m.value, '') <> '' LIMIT ${SAMPLE_LIMIT}` },
  },
];

const RAILS_CREDENTIALS: ProbeSpec = { name: 'config/credentials.yml.enc', format: 'rails-credentials', keys: ['master.key', 'RAILS_MASTER_KEY'], samples: { kind: 'file', path: 'config/credentials.yml.enc' } };

const MAUTIC: readonly ProbeSpec[] = [
  {
    name: 'plugin_integration_settings.api_keys',
    format: 'mautic',
    keys: ['secret_key', 'MAUTIC_SECRET_KEY'],
    // A PHP-serialized array of name => "b64|b64": the strings are pulled out of it.
    samples: { kind: 'sql', engine: 'mysql', sql: `SELECT api_keys FROM {prefix}plugin_integration_settings WHERE api_keys IS NOT NULL AND api_keys <> '' LIMIT ${SAMPLE_LIMIT}`, extract: 'php-serialized-strings' },
  },
];

/** The probes a preset brings; a table or file that does not exist just gives no samples. */
export function presetProbes(preset: string | null): readonly ProbeSpec[] {
  switch (preset) {
    case 'decidim':
      return [...DECIDIM, RAILS_CREDENTIALS];
    case 'rails':
      return [RAILS_CREDENTIALS];
    case 'mautic':
      return MAUTIC;
    default:
      return [];
  }
}

/**
 * The string *values* (not keys) of a PHP-serialized array, nested arrays included, that look
 * like Mautic ciphertexts (`b64|b64`). Tolerant: on anything it does not understand it stops
 * and gives what it found so far (a sample, not a proof of the format).
 */
export function phpSerializedStrings(serialized: string): string[] {
  const text = Buffer.from(serialized, 'utf8').toString('latin1');
  const out: string[] = [];
  let pos = 0;
  const CT = /^[A-Za-z0-9+/]+={0,2}\|[A-Za-z0-9+/]+={0,2}$/;
  // Reads one value at `pos`; strings that are values of an array are collected.
  const value = (collect: boolean, depth: number): boolean => {
    const rest = text.slice(pos, pos + 32);
    let m: RegExpExecArray | null;
    if ((m = /^s:(\d{1,7}):"/.exec(rest))) {
      const start = pos + m[0].length;
      const end = start + Number(m[1]);
      if (text.slice(end, end + 2) !== '";') return false;
      const v = Buffer.from(text.slice(start, end), 'latin1').toString('utf8');
      if (collect && CT.test(v)) out.push(v);
      pos = end + 2;
      return true;
    }
    if ((m = /^(?:i:-?\d+;|b:[01];|N;|d:[-+0-9.eE]+;|d:(?:NAN|INF|-INF);)/.exec(rest))) {
      pos += m[0].length;
      return true;
    }
    if ((m = /^a:(\d{1,7}):\{/.exec(rest)) && depth < 16) {
      pos += m[0].length;
      for (let n = Number(m[1]); n > 0; n--) if (!value(false, depth + 1) || !value(true, depth + 1)) return false;
      if (text[pos] !== '}') return false;
      pos++;
      return true;
    }
    return false;
  };
  value(true, 0);
  return out;
}

/**
 * The keys without which a preset's app cannot be recovered: a snapshot lacking one fails the
 * drill and the guard, whatever the config says. Alternatives are separated by `|`.
 */
export function presetKeys(preset: string | null): readonly string[] {
  switch (preset) {
    case 'decidim':
    case 'rails':
      return ['SECRET_KEY_BASE'];
    case 'mautic':
      return ['secret_key|MAUTIC_SECRET_KEY'];
    case 'laravel':
      return ['APP_KEY'];
    case 'nextcloud':
      return ['secret'];
    default:
      return [];
  }
}
