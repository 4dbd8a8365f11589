import type { SourceSpec } from '../sources/index.js';

export const PRESET_NAMES = ['decidim', 'mautic', 'rails', 'laravel', 'nextcloud', 'generic'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** What a preset looks at: the app root and the environment Lifeboat runs in. */
export interface PresetContext {
  readonly root: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What a preset found. Sources it is unsure of are marked optional in their specs. */
export interface Discovery {
  readonly sources: readonly SourceSpec[];
  /** What was found and what is missing, for `lifeboat apps` and backup notices; never values. */
  readonly notes: readonly string[];
}
