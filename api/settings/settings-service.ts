import { Value } from '@sinclair/typebox/value';
import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { allSettingRows, deleteSettingRow, findSettingRow, upsertSetting } from './settings-repository.ts';
import { EXPECTED, SETTING_KEYS, isSettingKey, settingSchema, type SettingKey, type Settings } from './settings-schema.ts';
import type { SettingRow } from './settings-table.ts';

type Ctx = Pick<DomainContext, 'db' | 'clock'>;

/** One setting as the admin panel shows it. */
export interface SettingEntry {
  key: SettingKey;
  /** The value in force: stored, or the default. */
  value: unknown;
  defaultValue: unknown;
  isDefault: boolean;
  updatedAt: number | null;
  updatedBy: number | null;
  /** A stored value no longer passes its schema (older release, manual edit): the default applies. */
  storedValueRejected: boolean;
}

function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws SETTING_UNKNOWN naming the key and listing the known ones. */
export function checkSettingKey(key: string): asserts key is SettingKey {
  if (!isSettingKey(key)) {
    throw new DomainError(
      'SETTING_UNKNOWN',
      'invalid',
      { fr: `Réglage inconnu « ${key} » ; réglages connus : ${SETTING_KEYS.join(', ')}.`, en: `Unknown setting "${key}"; known settings: ${SETTING_KEYS.join(', ')}.` },
      { fields: [{ field: 'key', fr: 'réglage inconnu', en: 'unknown setting' }], details: { key } },
    );
  }
}

/** Throws SETTING_UNKNOWN or SETTING_INVALID naming the key, the value and what is expected. */
export function checkSetting(key: string, value: unknown): asserts key is SettingKey {
  checkSettingKey(key);
  const schema = settingSchema(key);
  if (Value.Check(schema, value)) return;
  const issues = [...Value.Errors(schema, value)].slice(0, 3).map((e) => ({ path: e.path, message: e.message }));
  const expected = EXPECTED[key];
  throw new DomainError(
    'SETTING_INVALID',
    'invalid',
    { fr: `Valeur refusée pour « ${key} » : ${show(value)} ; attendu : ${expected.fr}.`, en: `Value refused for "${key}": ${show(value)}; expected ${expected.en}.` },
    { fields: [{ field: key, fr: expected.fr, en: expected.en }], details: { key, value: show(value), expected: expected.en, issues } },
  );
}

/** The stored value if it still passes its schema; undefined otherwise. */
function storedValue(row: SettingRow | undefined): { value: unknown } | undefined {
  if (row === undefined || !isSettingKey(row.key)) return undefined;
  try {
    const value: unknown = JSON.parse(row.value);
    return Value.Check(settingSchema(row.key), value) ? { value } : undefined;
  } catch {
    return undefined;
  }
}

function overlay(defaults: Settings, rows: SettingRow[]): Settings {
  const settings: Record<string, unknown> = structuredClone(defaults);
  for (const row of rows) {
    const stored = storedValue(row);
    if (stored !== undefined) settings[row.key] = stored.value;
  }
  return settings as Settings;
}

/** The settings in force: `defaults` (from configuration) overlaid with what admins stored. */
export async function getSettings(ctx: Pick<DomainContext, 'db'>, defaults: Settings): Promise<Settings> {
  return overlay(defaults, await reading(() => allSettingRows(ctx.db)));
}

export async function listSettings(ctx: Pick<DomainContext, 'db'>, defaults: Settings): Promise<SettingEntry[]> {
  const rows = new Map((await reading(() => allSettingRows(ctx.db))).map((r) => [r.key, r]));
  return SETTING_KEYS.map((key) => {
    const row = rows.get(key);
    const stored = storedValue(row);
    return {
      key,
      value: stored === undefined ? defaults[key] : stored.value,
      defaultValue: defaults[key],
      isDefault: stored === undefined,
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by ?? null,
      storedValueRejected: row !== undefined && stored === undefined,
    };
  });
}

/**
 * An admin changes one setting. The value is checked against its schema (no
 * coercion: "3" is not 3); setting the value already in force writes nothing.
 * Returns the settings in force afterwards.
 */
export async function setSetting(ctx: Ctx, actor: Actor, key: string, value: unknown, defaults: Settings): Promise<Settings> {
  checkSetting(key, value);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const from = storedValue(await findSettingRow(trx, key))?.value ?? defaults[key];
    if (!Value.Equal(from, value)) {
      await upsertSetting(trx, { key, value: JSON.stringify(value), updated_at: now, updated_by: actor.type === 'operator' ? actor.id : null });
      await appendAudit(trx, ctx.clock, { actor, action: 'settings.changed', target: { type: 'settings', id: null }, metadata: { key, from, to: value } });
    }
    return overlay(defaults, await allSettingRows(trx));
  });
}

/** Back to the configured default: the stored value is removed (one settings.changed event). */
export async function resetSetting(ctx: Ctx, actor: Actor, key: string, defaults: Settings): Promise<Settings> {
  checkSettingKey(key);
  return inTransaction(ctx.db, async (trx) => {
    const row = await findSettingRow(trx, key);
    if (row !== undefined) {
      const from = storedValue(row)?.value ?? null;
      await deleteSettingRow(trx, key);
      await appendAudit(trx, ctx.clock, { actor, action: 'settings.changed', target: { type: 'settings', id: null }, metadata: { key, from, to: defaults[key], reset: true } });
    }
    return overlay(defaults, await allSettingRows(trx));
  });
}
