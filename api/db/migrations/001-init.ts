// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

const LIVE = sql<boolean>`status in ('pending', 'active', 'suspended')`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operators')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull().check(sql`role in ('admin', 'operator')`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('first_name', 'varchar(100)')
    .addColumn('last_name', 'varchar(100)')
    .addColumn('birth_date', 'varchar(10)')
    .addColumn('phone', 'varchar(20)')
    .addColumn('email', 'varchar(254)')
    .addColumn('photo_key', 'varchar(128)')
    .addColumn('photo_mime', 'varchar(32)')
    .addColumn('guardian_name', 'varchar(200)')
    .addColumn('guardian_consent_at', 'bigint')
    .addColumn('consent_at', 'bigint')
    .addColumn('consent_text_version', 'varchar(32)')
    .addColumn('consent_revoked_at', 'bigint')
    .addColumn('anonymised_at', 'bigint')
    .addColumn('deleted_at', 'bigint')
    .addColumn('notes', 'text')
    // Lower-case, accent-free names and email for search (same on SQLite and PostgreSQL); purged with them.
    .addColumn('search_text', 'varchar(600)')
    .addColumn('created_by', 'integer', (c) => c.references('operators.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_name_idx').on('users').columns(['last_name', 'first_name']).execute();
  await db.schema.createIndex('users_phone_idx').on('users').column('phone').execute();
  await db.schema.createIndex('users_created_idx').on('users').column('created_at').execute();

  await db.schema
    .createTable('stations')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('mac', 'varchar(17)', (c) => c.notNull())
    .addColumn('ip', 'varchar(45)')
    .addColumn('state', 'varchar(16)', (c) =>
      c.notNull().check(sql`state in ('available', 'occupied', 'maintenance', 'offline', 'pending')`),
    )
    .addColumn('state_reason', 'text')
    .addColumn('last_heartbeat_at', 'bigint')
    .addColumn('agent_version', 'varchar(64)')
    // Soft deletion: connection records (sessions) keep pointing at the station for a year.
    .addColumn('deleted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Name (case-insensitive), MAC and IP are unique among stations not deleted.
  const NOT_DELETED = sql<boolean>`deleted_at is null`;
  await db.schema.createIndex('stations_name_uq').on('stations').expression(sql`lower(name)`).unique().where(NOT_DELETED).execute();
  await db.schema.createIndex('stations_mac_uq').on('stations').column('mac').unique().where(NOT_DELETED).execute();
  await db.schema.createIndex('stations_ip_uq').on('stations').column('ip').unique().where(NOT_DELETED).execute();
  await db.schema.createIndex('stations_state_idx').on('stations').column('state').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('code', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('bound_station_id', 'integer', (c) => c.references('stations.id').onDelete('set null'))
    .addColumn('station_id', 'integer', (c) => c.references('stations.id').onDelete('set null'))
    .addColumn('station_ip', 'varchar(45)')
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().check(sql`status in ('pending', 'active', 'suspended', 'ended')`),
    )
    .addColumn('end_reason', 'varchar(32)', (c) =>
      c.check(sql`end_reason is null or end_reason in ('expired', 'ended_by_operator', 'ended_by_visitor', 'cancelled', 'code_expired')`),
    )
    .addColumn('allotted_ms', 'bigint', (c) => c.notNull())
    .addColumn('remaining_ms', 'bigint')
    .addColumn('ends_at', 'bigint')
    .addColumn('code_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('suspended_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('created_by', 'integer', (c) => c.references('operators.id').onDelete('set null'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // A code is unique among live sessions; a station runs at most one session.
  await db.schema.createIndex('sessions_live_code_uq').on('sessions').column('code').unique().where(LIVE).execute();
  await db.schema
    .createIndex('sessions_running_station_uq')
    .on('sessions')
    .column('station_id')
    .unique()
    .where(sql<boolean>`status in ('active', 'suspended')`)
    .execute();
  await db.schema.createIndex('sessions_user_created_idx').on('sessions').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('sessions_station_started_idx').on('sessions').columns(['station_id', 'started_at']).execute();
  await db.schema.createIndex('sessions_status_idx').on('sessions').column('status').execute();
  await db.schema.createIndex('sessions_created_idx').on('sessions').column('created_at').execute();
  // Statistics scan sessions by start time in keyset pages (started_at, id).
  await db.schema.createIndex('sessions_started_idx').on('sessions').column('started_at').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('actor_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('action', 'varchar(48)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(16)')
    .addColumn('target_id', 'integer')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'char(64)', (c) => c.notNull())
    .addColumn('hash', 'char(64)', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('audit_occurred_idx').on('audit_events').column('occurred_at').execute();
  await db.schema.createIndex('audit_action_idx').on('audit_events').columns(['action', 'occurred_at']).execute();
  await db.schema.createIndex('audit_target_idx').on('audit_events').columns(['target_type', 'target_id']).execute();
  await db.schema.createIndex('audit_actor_idx').on('audit_events').columns(['actor_type', 'actor_id']).execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('operators.id').onDelete('set null'))
    .execute();

  await appendOnlyGuards(db);
}

/**
 * Defence in depth for the audit trail: the database itself refuses UPDATE and
 * DELETE. Dialect-specific SQL lives here and only here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function appendOnlyGuards(db: Kysely<any>): Promise<void> {
  await sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
}
