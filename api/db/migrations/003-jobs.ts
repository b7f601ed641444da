// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

const GENESIS = '0'.repeat(64);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // One row per scheduled job: its last run and its last failure survive restarts.
  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'varchar(16)', (c) => c.notNull().check(sql`"trigger" in ('schedule', 'manual')`))
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('last_ok_at', 'bigint')
    .addColumn('last_error_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // Daily reports: one per kind and local day; a rerun replaces the figures in place.
  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull().check(sql`kind in ('sessions', 'audit')`))
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('time_zone', 'varchar(64)', (c) => c.notNull())
    .addColumn('period_from', 'bigint', (c) => c.notNull())
    .addColumn('period_to', 'bigint', (c) => c.notNull())
    .addColumn('totals', 'text', (c) => c.notNull())
    .addColumn('per_hour', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('reports_kind_day_uq', ['kind', 'day'])
    .execute();
  await db.schema.createIndex('reports_day_idx').on('reports').column('day').execute();

  // Each row: a range of audit events written to a file and verified before deletion.
  await db.schema
    .createTable('audit_archives')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('from_id', 'integer', (c) => c.notNull())
    .addColumn('to_id', 'integer', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('first_prev_hash', 'char(64)', (c) => c.notNull())
    .addColumn('last_hash', 'char(64)', (c) => c.notNull().unique())
    .addColumn('from_occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('to_occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('content_sha256', 'char(64)', (c) => c.notNull())
    .addColumn('file_sha256', 'char(64)', (c) => c.notNull())
    .addColumn('file_bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint', (c) => c.notNull())
    .execute();

  await archiveGuards(db);
}

/**
 * The audit trail stays append-only except for one door: rows covered by a
 * verified archive. An archive row is accepted only if it describes exactly the
 * oldest events still in the table, chained to the previous archive, and never
 * the chain head; once written it cannot be changed or removed. Dialect-specific
 * SQL (SQLite triggers) lives here and only here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function archiveGuards(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER audit_events_no_delete`.execute(db);
  await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    WHEN NOT EXISTS (SELECT 1 FROM audit_archives a
      WHERE OLD.id BETWEEN a.from_id AND a.to_id AND a.verified_at IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);

  await sql`CREATE TRIGGER audit_archives_match_chain BEFORE INSERT ON audit_archives
    WHEN NEW.to_id < NEW.from_id
      OR NEW.from_id IS NOT (SELECT min(id) FROM audit_events)
      OR NOT EXISTS (SELECT 1 FROM audit_events WHERE id > NEW.to_id)
      OR NEW.first_prev_hash IS NOT (SELECT prev_hash FROM audit_events WHERE id = NEW.from_id)
      OR NEW.last_hash IS NOT (SELECT hash FROM audit_events WHERE id = NEW.to_id)
      OR NEW.event_count IS NOT (SELECT count(*) FROM audit_events WHERE id BETWEEN NEW.from_id AND NEW.to_id)
      OR NEW.first_prev_hash IS NOT coalesce((SELECT last_hash FROM audit_archives ORDER BY to_id DESC LIMIT 1), ${sql.lit(GENESIS)})
    BEGIN SELECT RAISE(ABORT, 'audit_archives: the range does not match the audit chain'); END`.execute(db);
  await sql`CREATE TRIGGER audit_archives_no_update BEFORE UPDATE ON audit_archives
    BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER audit_archives_no_delete BEFORE DELETE ON audit_archives
    BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only'); END`.execute(db);
}
