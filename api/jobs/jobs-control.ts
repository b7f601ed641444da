import type { Actor } from '../audit/audit-actions.ts';
import type { JobRunRow } from './job-runs-table.ts';
import type { JobRunOutcome } from './job-runs-repository.ts';
import type { JobName } from './job-types.ts';
import { jobsUnavailable } from './job-errors.ts';

/** A job as the admin sees it: what it does, when it runs next, how its last run went. */
export interface JobStatus {
  name: JobName;
  description: { fr: string; en: string };
  enabled: boolean;
  /** Cron expression (minute hour day-of-month month day-of-week), read in timeZone. */
  schedule: string;
  timeZone: string;
  /** Null when the job is disabled or the scheduler is stopped. */
  nextRunAt: number | null;
  /** Start of the run in flight, or null. */
  runningSince: number | null;
  /** The last run recorded (it survives restarts), or null if the job never ran. */
  last: JobRunRow | null;
}

/**
 * What the API needs from the scheduler, which lives in the appliance (croner).
 * `runNow` throws JOB_ALREADY_RUNNING while the job runs.
 */
export interface JobsControl {
  statuses(): Promise<JobStatus[]>;
  runNow(name: JobName, actor: Actor): Promise<JobRunOutcome>;
}

/** Stands in when the process runs no scheduler: both calls answer JOBS_UNAVAILABLE (503). */
export const unavailableJobs: JobsControl = {
  statuses: () => Promise.reject(jobsUnavailable()),
  runNow: () => Promise.reject(jobsUnavailable()),
};
