import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Visitors ("usagers"). Personal fields become null when consent is revoked
 * (anonymised_at set); the row stays so connection records keep their link.
 */
export interface UsersTable {
  id: Generated<number>;
  first_name: string | null;
  last_name: string | null;
  /** Calendar date YYYY-MM-DD (no time zone). */
  birth_date: string | null;
  /** E.164, e.g. +262692123456. */
  phone: string | null;
  email: string | null;
  /** Key of the ID photo in the photo store; the bytes live outside the database. */
  photo_key: string | null;
  photo_mime: string | null;
  /** Required for visitors under 15. */
  guardian_name: string | null;
  guardian_consent_at: number | null;
  consent_at: number | null;
  consent_text_version: string | null;
  consent_revoked_at: number | null;
  anonymised_at: number | null;
  /** Soft deletion: the row stays for retention of connection records. */
  deleted_at: number | null;
  notes: string | null;
  /** Lower-case, accent-free names and email, for search; null once anonymised. */
  search_text: string | null;
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
