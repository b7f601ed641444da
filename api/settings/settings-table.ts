import type { Selectable } from 'kysely';

/** Runtime settings changed by admins in the panel; JSON values. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
  updated_by: number | null;
}

export type SettingRow = Selectable<SettingsTable>;
