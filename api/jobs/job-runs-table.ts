import type { Selectable } from 'kysely';

export const JOB_TRIGGERS = ['schedule', 'manual'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

/**
 * The last run of each scheduled job, one row per job name, so GET /api/jobs
 * shows it after a restart. The last failure is kept apart: a later success
 * does not hide that the job failed.
 */
export interface JobRunsTable {
  name: string;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  /** 1 when the last run succeeded, 0 when it threw. */
  ok: number;
  trigger: JobTrigger;
  /** JSON summary the job returned; null when it failed. */
  result: string | null;
  /** Message of the last run's error; null when it succeeded. */
  error: string | null;
  last_ok_at: number | null;
  last_error_at: number | null;
  last_error: string | null;
  runs: number;
  failures: number;
}

export type JobRunRow = Selectable<JobRunsTable>;
