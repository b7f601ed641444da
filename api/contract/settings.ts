import { Type, type Static } from '@sinclair/typebox';
import { EXPECTED, SettingsSchema, type SettingKey } from '../settings/settings-schema.ts';
import type { SettingEntry } from '../settings/settings-service.ts';
import { epochToIso } from './common.ts';

export const SettingEntryWire = Type.Object({
  key: Type.String(),
  value: Type.Unknown({ description: 'The value in force: stored, or the default.' }),
  defaultValue: Type.Unknown({ description: 'From the configuration file.' }),
  isDefault: Type.Boolean(),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'Operator id of the last change.' }),
  storedValueRejected: Type.Boolean({ description: 'A stored value no longer passes its schema: the default applies.' }),
  description: Type.String(),
  expected: Type.Object({ fr: Type.String(), en: Type.String() }, { description: 'What a valid value looks like.' }),
});
export type SettingEntryWire = Static<typeof SettingEntryWire>;

export const SettingsList = Type.Array(SettingEntryWire);

export const SettingKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. sessions.dailyQuota' }) });

export const SettingValueBody = Type.Object(
  { value: Type.Unknown({ description: 'JSON value checked against the setting (no coercion: "3" is not 3).' }) },
  { additionalProperties: false },
);

export function settingToWire(entry: SettingEntry): SettingEntryWire {
  const key = entry.key as SettingKey;
  return {
    ...entry,
    updatedAt: epochToIso(entry.updatedAt),
    description: String(SettingsSchema.properties[key].description ?? ''),
    expected: EXPECTED[key],
  };
}
