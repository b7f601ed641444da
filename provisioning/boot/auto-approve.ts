import { settingsDefaultsFrom } from '../../api/settings/settings-policy.ts';
import { getSettings } from '../../api/settings/settings-service.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';

/**
 * The enrollment policy in force when a new MAC shows up: the admins' runtime
 * setting stations.autoApprove when set, else the configuration file's value.
 */
export function autoApprovePolicy(ctx: DomainContext, configured: boolean): () => Promise<boolean> {
  return async () => (await getSettings(ctx, { ...settingsDefaultsFrom(ctx.policy), 'stations.autoApprove': configured }))['stations.autoApprove'];
}
