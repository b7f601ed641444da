import type { Kysely, Transaction } from 'kysely';
import type { AuditArchivesTable } from '../audit/audit-archives-table.ts';
import type { AuditEventsTable } from '../audit/audit-table.ts';
import type { AuthSessionsTable, RefreshTokensTable, StationTokensTable } from '../auth/auth-tables.ts';
import type { EnrollmentNoncesTable } from '../enrollment/enrollment-nonces-table.ts';
import type { JobRunsTable } from '../jobs/job-runs-table.ts';
import type { OperatorsTable } from '../operators/operators-table.ts';
import type { StationReplaysTable } from '../realtime/station-replays-table.ts';
import type { ReportsTable } from '../reports/reports-table.ts';
import type { SessionsTable } from '../sessions/sessions-table.ts';
import type { SettingsTable } from '../settings/settings-table.ts';
import type { StationsTable } from '../stations/stations-table.ts';
import type { UsersTable } from '../users/users-table.ts';

/** The whole database, one interface per table (each lives in its feature folder). */
export interface Database {
  operators: OperatorsTable;
  users: UsersTable;
  stations: StationsTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  station_tokens: StationTokensTable;
  enrollment_nonces: EnrollmentNoncesTable;
  job_runs: JobRunsTable;
  reports: ReportsTable;
  audit_archives: AuditArchivesTable;
  station_replays: StationReplaysTable;
}

export type Db = Kysely<Database>;
/** A database handle or an open transaction: repositories accept either. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
