import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Every runtime setting an admin may change in the panel. One TypeBox object
 * is the contract: it validates writes, types reads, and can feed OpenAPI and
 * the panel's form. A key not listed here cannot be stored.
 */
export const SettingsSchema = Type.Object(
  {
    'sessions.dailyQuota': Type.Integer({ minimum: 1, maximum: 50, description: 'Sessions a visitor may receive per local day.' }),
    'sessions.defaultDurationMinutes': Type.Integer({ minimum: 5, maximum: 480, description: 'Time granted by a new access code.' }),
    'sessions.addTimePresetsMinutes': Type.Array(Type.Integer({ minimum: 1, maximum: 240 }), {
      minItems: 1,
      maxItems: 6,
      uniqueItems: true,
      description: 'The "add time" buttons of the panel, in minutes.',
    }),
    'sessions.unusedCodeExpiryHours': Type.Integer({ minimum: 1, maximum: 168, description: 'An unused code expires this long after it was issued.' }),
    'stations.autoApprove': Type.Boolean({ description: 'A station seen at boot for the first time is available at once instead of pending.' }),
    'stations.heartbeatTimeoutSeconds': Type.Integer({ minimum: 10, maximum: 600, description: 'A station silent for longer is shown offline.' }),
    'consent.textVersion': Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$', description: 'Version of the consent text visitors agree to.' }),
    // French rules require keeping connection records one year; longer only by choice.
    'retention.connectionRecordsDays': Type.Integer({ minimum: 365, maximum: 1095, description: 'Days connection records are kept before purge.' }),
  },
  { additionalProperties: false },
);

export type Settings = Static<typeof SettingsSchema>;
export type SettingKey = keyof Settings & string;

export const SETTING_KEYS = Object.keys(SettingsSchema.properties) as SettingKey[];

/** What a valid value looks like, for error messages an admin reads. */
export const EXPECTED: Record<SettingKey, { fr: string; en: string }> = {
  'sessions.dailyQuota': { fr: 'un entier de 1 à 50', en: 'an integer from 1 to 50' },
  'sessions.defaultDurationMinutes': { fr: 'un entier de 5 à 480 (minutes)', en: 'an integer from 5 to 480 (minutes)' },
  'sessions.addTimePresetsMinutes': {
    fr: 'une liste de 1 à 6 durées différentes, entiers de 1 à 240 (minutes), par ex. [15, 30]',
    en: 'a list of 1 to 6 distinct durations, integers from 1 to 240 (minutes), e.g. [15, 30]',
  },
  'sessions.unusedCodeExpiryHours': { fr: 'un entier de 1 à 168 (heures)', en: 'an integer from 1 to 168 (hours)' },
  'stations.autoApprove': { fr: 'true ou false', en: 'true or false' },
  'stations.heartbeatTimeoutSeconds': { fr: 'un entier de 10 à 600 (secondes)', en: 'an integer from 10 to 600 (seconds)' },
  'consent.textVersion': {
    fr: '1 à 32 caractères parmi lettres, chiffres, . _ - (par ex. 2026-01)',
    en: '1 to 32 characters among letters, digits, . _ - (e.g. 2026-01)',
  },
  'retention.connectionRecordsDays': { fr: 'un entier de 365 à 1095 (jours ; un an au moins)', en: 'an integer from 365 to 1095 (days; one year at least)' },
};

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SettingsSchema.properties, key);
}

export function settingSchema(key: SettingKey): TSchema {
  return SettingsSchema.properties[key];
}
