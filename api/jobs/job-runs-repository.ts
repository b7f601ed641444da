import { sql } from 'kysely';
import type { DbOrTx } from '../db/schema.ts';
import type { JobRunRow, JobTrigger } from './job-runs-table.ts';

/** What one run did, as the executor saw it. */
export interface JobRunOutcome {
  name: string;
  trigger: JobTrigger;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  ok: boolean;
  result: object | null;
  error: string | null;
}

/** Stores a run as the job's last one; counts and the last failure carry over from earlier runs. */
export async function recordJobRun(db: DbOrTx, run: JobRunOutcome): Promise<void> {
  const row = {
    name: run.name,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
    ok: run.ok ? 1 : 0,
    trigger: run.trigger,
    result: run.result === null ? null : JSON.stringify(run.result),
    error: run.error,
    last_ok_at: run.ok ? run.finishedAt : null,
    last_error_at: run.ok ? null : run.finishedAt,
    last_error: run.error,
    runs: 1,
    failures: run.ok ? 0 : 1,
  };
  await db
    .insertInto('job_runs')
    .values(row)
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        started_at: row.started_at,
        finished_at: row.finished_at,
        duration_ms: row.duration_ms,
        ok: row.ok,
        trigger: row.trigger,
        result: row.result,
        error: row.error,
        last_ok_at: run.ok ? row.finished_at : sql<number | null>`job_runs.last_ok_at`,
        last_error_at: run.ok ? sql<number | null>`job_runs.last_error_at` : row.finished_at,
        last_error: run.ok ? sql<string | null>`job_runs.last_error` : row.error,
        runs: sql<number>`job_runs.runs + 1`,
        failures: sql<number>`job_runs.failures + ${row.failures}`,
      }),
    )
    .execute();
}

export async function listJobRuns(db: DbOrTx): Promise<JobRunRow[]> {
  return db.selectFrom('job_runs').selectAll().orderBy('name').execute();
}
