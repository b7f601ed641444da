import type { Actor } from '../audit/audit-actions.ts';
import { DomainError } from '../shared/errors.ts';
import { JOB_CATALOG } from './job-catalog.ts';
import { jobAlreadyRunning } from './job-errors.ts';
import type { JobTrigger } from './job-runs-table.ts';
import { recordJobRun, type JobRunOutcome } from './job-runs-repository.ts';
import type { JobDefinition, JobEnvironment, JobName } from './job-types.ts';

/** pino's (fields, message) signature, so the appliance can hand in `log.child({ subsystem: 'jobs' })`. */
export interface JobLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const noop = (): void => {};
export const silentJobLogger: JobLogger = { info: noop, warn: noop, error: noop };

function describeError(error: unknown): string {
  if (error instanceof DomainError) return `${error.code}: ${error.en}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs jobs one at a time per job: a second run of a job still running is
 * refused (JOB_ALREADY_RUNNING), whoever asks. A run never throws: its
 * failure is logged and kept as the job's last error (job_runs), so a failing
 * job can never bring the process down.
 */
export class JobExecutor {
  private readonly inflight = new Map<JobName, { startedAt: number; done: Promise<JobRunOutcome> }>();

  constructor(
    private readonly env: JobEnvironment,
    private log: JobLogger = silentJobLogger,
    private readonly catalog: Record<JobName, JobDefinition> = JOB_CATALOG,
  ) {}

  setLogger(log: JobLogger): void {
    this.log = log;
  }

  definition(name: JobName): JobDefinition {
    return this.catalog[name];
  }

  /** When the run in flight started, or null when the job is idle. */
  runningSince(name: JobName): number | null {
    return this.inflight.get(name)?.startedAt ?? null;
  }

  run(name: JobName, trigger: JobTrigger, actor: Actor): Promise<JobRunOutcome> {
    const current = this.inflight.get(name);
    if (current !== undefined) return Promise.reject(jobAlreadyRunning(name, current.startedAt));
    const startedAt = this.env.ctx.clock.now();
    const done = this.execute(this.catalog[name], trigger, actor, startedAt).finally(() => this.inflight.delete(name));
    this.inflight.set(name, { startedAt, done });
    return done;
  }

  /** Resolves once every run in flight has finished (before the database closes). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()].map((r) => r.done));
  }

  private async execute(job: JobDefinition, trigger: JobTrigger, actor: Actor, startedAt: number): Promise<JobRunOutcome> {
    const { clock, db } = this.env.ctx;
    let outcome: JobRunOutcome;
    try {
      const result = await job.run({ ...this.env, now: startedAt, actor });
      const finishedAt = clock.now();
      outcome = { name: job.name, trigger, startedAt, finishedAt, durationMs: finishedAt - startedAt, ok: true, result, error: null };
      this.log.info({ job: job.name, trigger, durationMs: outcome.durationMs, result }, `job ${job.name} done`);
    } catch (error) {
      const finishedAt = clock.now();
      outcome = { name: job.name, trigger, startedAt, finishedAt, durationMs: finishedAt - startedAt, ok: false, result: null, error: describeError(error) };
      this.log.error({ job: job.name, trigger, durationMs: outcome.durationMs, err: error }, `job ${job.name} failed`);
    }
    try {
      await recordJobRun(db, outcome);
    } catch (error) {
      this.log.error({ job: job.name, err: error }, `job ${job.name}: its run could not be recorded`);
    }
    return outcome;
  }
}
