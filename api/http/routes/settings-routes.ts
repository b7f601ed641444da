import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Problem } from '../../contract/problem.ts';
import { SettingEntryWire, SettingKeyParams, SettingValueBody, SettingsList, settingToWire } from '../../contract/settings.ts';
import { changeSetting, resetSettingEntry } from '../../settings/settings-entry.ts';
import { settingsDefaultsFrom } from '../../settings/settings-policy.ts';
import type { Settings } from '../../settings/settings-schema.ts';
import { listSettings } from '../../settings/settings-service.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { actorOf } from '../principal-helpers.ts';

const errors = { 400: Problem, 401: Problem, 403: Problem, 503: Problem };
const tags = ['settings'];

export interface SettingsRoutesOptions {
  ctx: DomainContext;
  /** Defaults from the configuration file; built from ctx.policy when absent. */
  defaults?: Settings;
}

/** Runtime settings an admin changes in the panel (the seed kept them in Django settings). */
export const settingsRoutes: FastifyPluginAsyncTypebox<SettingsRoutesOptions> = async (app, opts) => {
  const { ctx } = opts;
  const defaults = opts.defaults ?? settingsDefaultsFrom(ctx.policy);

  app.get('/api/settings', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Every setting: value in force, default, who changed it, what is expected', response: { 200: SettingsList, ...errors } },
  }, async () => (await listSettings(ctx, defaults)).map(settingToWire));

  app.put('/api/settings/:key', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Change one setting; a bad key or value is refused naming the key, the value and what is expected; audited',
      params: SettingKeyParams,
      body: SettingValueBody,
      response: { 200: SettingEntryWire, ...errors },
    },
  }, async (request) => settingToWire(await changeSetting(ctx, actorOf(request), request.params.key, request.body.value, defaults)));

  app.delete('/api/settings/:key', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Back to the configured default; audited', params: SettingKeyParams, response: { 200: SettingEntryWire, ...errors } },
  }, async (request) => settingToWire(await resetSettingEntry(ctx, actorOf(request), request.params.key, defaults)));
};
