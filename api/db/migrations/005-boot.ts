// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

/**
 * Network boot: boot profiles (what a station boots), groups of stations, each
 * station's explicit choice, and the one-time enrollment nonces the iPXE script
 * hands to a booting station.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('boot_profiles')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('image_name', 'varchar(64)', (c) => c.notNull())
    // The version pointer: switching or rolling back is one UPDATE of this row.
    .addColumn('image_version', 'varchar(64)', (c) => c.notNull())
    .addColumn('previous_version', 'varchar(64)')
    .addColumn('kernel_file', 'varchar(128)', (c) => c.notNull())
    .addColumn('initrd_file', 'varchar(128)', (c) => c.notNull())
    .addColumn('squashfs_file', 'varchar(128)', (c) => c.notNull())
    .addColumn('kernel_args', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0).check(sql`is_default in (0, 1)`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('boot_profiles_name_uq').on('boot_profiles').expression(sql`lower(name)`).unique().execute();
  // At most one default profile.
  await db.schema.createIndex('boot_profiles_default_uq').on('boot_profiles').column('is_default').unique().where(sql<boolean>`is_default = 1`).execute();

  await db.schema
    .createTable('boot_groups')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('profile_id', 'integer', (c) => c.notNull().references('boot_profiles.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('boot_groups_name_uq').on('boot_groups').expression(sql`lower(name)`).unique().execute();
  await db.schema.createIndex('boot_groups_profile_idx').on('boot_groups').column('profile_id').execute();

  // One row per station that has an explicit profile and/or a group.
  await db.schema
    .createTable('boot_stations')
    .addColumn('station_id', 'integer', (c) => c.primaryKey().references('stations.id').onDelete('cascade'))
    .addColumn('profile_id', 'integer', (c) => c.references('boot_profiles.id'))
    .addColumn('group_id', 'integer', (c) => c.references('boot_groups.id'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('boot_stations_profile_idx').on('boot_stations').column('profile_id').execute();
  await db.schema.createIndex('boot_stations_group_idx').on('boot_stations').column('group_id').execute();

  await db.schema
    .createTable('enrollment_nonces')
    .addColumn('nonce_hash', 'char(64)', (c) => c.primaryKey())
    .addColumn('station_id', 'integer', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('mac', 'varchar(17)', (c) => c.notNull())
    .addColumn('issued_ip', 'varchar(45)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('enrollment_nonces_station_idx').on('enrollment_nonces').column('station_id').execute();
  await db.schema.createIndex('enrollment_nonces_expiry_idx').on('enrollment_nonces').column('expires_at').execute();
}
