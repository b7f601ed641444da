import { onCommitted } from '../db/commit-feed.ts';
import type { DomainContext, DomainPolicy } from '../shared/domain-context.ts';
import { settingsDefaultsFrom, policyWithSettings } from './settings-policy.ts';
import { getSettings } from './settings-service.ts';

/**
 * Keeps `ctx.policy` equal to the configured policy overlaid with the admins'
 * runtime settings: applied now, and again after every committed
 * settings.changed, so a new quota applies to the next code issued without a
 * restart. Every service reads `ctx.policy` at call time. Returns a stop function.
 */
export async function keepPolicyCurrent(ctx: DomainContext, base: DomainPolicy): Promise<() => void> {
  const defaults = settingsDefaultsFrom(base);
  const apply = async () => {
    ctx.policy = policyWithSettings(base, await getSettings(ctx, defaults));
  };
  // If the settings cannot be read now the configured policy stands; the
  // failure shows on the next database call (and on /api/health).
  await apply().catch(() => undefined);
  let reloading = Promise.resolve();
  const stop = onCommitted(ctx.db, (events) => {
    if (!events.some((e) => e.action === 'settings.changed')) return;
    // Serialised so two quick changes apply in commit order; a failed read keeps the last good policy.
    reloading = reloading.then(apply).catch(() => undefined);
  });
  return stop;
}
