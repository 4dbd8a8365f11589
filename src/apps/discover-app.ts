import { discoverLaravel } from './laravel.js';
import { discoverMautic } from './mautic.js';
import { discoverNextcloud } from './nextcloud.js';
import type { Discovery, PresetContext, PresetName } from './preset-types.js';
import { discoverDecidim, discoverRails } from './rails.js';

/** What a preset finds for an app. `generic` finds nothing: its config lists every source. */
export function discoverApp(preset: PresetName, ctx: PresetContext): Discovery {
  switch (preset) {
    case 'decidim':
      return discoverDecidim(ctx);
    case 'rails':
      return discoverRails(ctx);
    case 'mautic':
      return discoverMautic(ctx);
    case 'laravel':
      return discoverLaravel(ctx);
    case 'nextcloud':
      return discoverNextcloud(ctx);
    case 'generic':
      return { sources: [], notes: [] };
  }
}
