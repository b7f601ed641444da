import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database, DbOrTx } from '../../api/db/schema.ts';

/** A boot profile: what a station boots (migration 005-boot). */
export type BootProfilesTable = {
  id: Generated<number>;
  /** Unique, case-insensitive. */
  name: string;
  description: string | null;
  image_name: string;
  /** The version pointer: one UPDATE switches every station of the profile at once. */
  image_version: string;
  /** Kept for a one-call rollback; null until the first switch. */
  previous_version: string | null;
  kernel_file: string;
  initrd_file: string;
  squashfs_file: string;
  /** Admin's kernel arguments; the renderer adds initrd=, fetch= and epnbox.* itself. */
  kernel_args: string;
  /** 1 for the one profile stations get when nothing more specific applies. */
  is_default: number;
  created_at: number;
  updated_at: number;
};

export type BootGroupsTable = {
  id: Generated<number>;
  name: string;
  description: string | null;
  profile_id: number;
  created_at: number;
  updated_at: number;
};

/** A station's explicit profile and/or group; no row means "the default". */
export type BootStationsTable = {
  station_id: number;
  profile_id: number | null;
  group_id: number | null;
  updated_at: number;
};

export type BootTables = {
  boot_profiles: BootProfilesTable;
  boot_groups: BootGroupsTable;
  boot_stations: BootStationsTable;
};

export type BootProfileRow = Selectable<BootProfilesTable>;
export type BootGroupRow = Selectable<BootGroupsTable>;
export type BootStationRow = Selectable<BootStationsTable>;

// Type aliases, not interfaces: withTables() wants an index-signature-compatible shape.

/** The database seen with the boot tables (stations, audit… included). */
export type BootDb = Kysely<Database & BootTables>;

/**
 * api/ must not import provisioning/ (docs/architecture.md), so api's
 * `Database` does not list these tables; provisioning adds them to its view of
 * the same connection or transaction with Kysely's withTables(), which only
 * changes the type.
 */
export function bootDb(db: DbOrTx): BootDb {
  return (db as Kysely<Database>).withTables<BootTables>();
}
