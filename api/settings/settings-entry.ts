import type { Actor } from '../audit/audit-actions.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { Settings } from './settings-schema.ts';
import { listSettings, resetSetting, setSetting, type SettingEntry } from './settings-service.ts';

type Ctx = Pick<DomainContext, 'db' | 'clock'>;

async function entryOf(ctx: Ctx, key: string, defaults: Settings): Promise<SettingEntry> {
  const entry = (await listSettings(ctx, defaults)).find((e) => e.key === key);
  // setSetting/resetSetting have already refused unknown keys.
  if (entry === undefined) throw new Error(`setting ${key} vanished`);
  return entry;
}

/** setSetting, answering with the setting as the panel shows it. */
export async function changeSetting(ctx: Ctx, actor: Actor, key: string, value: unknown, defaults: Settings): Promise<SettingEntry> {
  await setSetting(ctx, actor, key, value, defaults);
  return entryOf(ctx, key, defaults);
}

/** resetSetting, answering with the setting (now its default) as the panel shows it. */
export async function resetSettingEntry(ctx: Ctx, actor: Actor, key: string, defaults: Settings): Promise<SettingEntry> {
  await resetSetting(ctx, actor, key, defaults);
  return entryOf(ctx, key, defaults);
}
