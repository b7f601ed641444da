import { Cron } from 'croner';
import { systemActor, type Actor } from '../../api/audit/audit-actions.ts';
import { reading } from '../../api/db/transaction.ts';
import { JobExecutor, silentJobLogger, type JobLogger } from '../../api/jobs/job-executor.ts';
import type { JobRunOutcome } from '../../api/jobs/job-runs-repository.ts';
import { listJobRuns } from '../../api/jobs/job-runs-repository.ts';
import { JOB_NAMES, type JobDefinition, type JobName } from '../../api/jobs/job-types.ts';
import type { JobsControl, JobStatus } from '../../api/jobs/jobs-control.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import type { AppConfig } from '../config/config-schema.ts';
import { cronPattern, jobEnvironmentFrom, jobSchedulesFrom, type JobSchedule } from './job-schedules.ts';

export interface JobRunnerOptions {
  ctx: DomainContext;
  config: AppConfig;
  /** Until start() hands the appliance's logger in. */
  logger?: JobLogger;
  /** The jobs themselves; tests hand in stand-ins. Default: JOB_CATALOG. */
  catalog?: Record<JobName, JobDefinition>;
}

/**
 * The appliance's scheduler: one croner job per enabled job, in the
 * configured time zone, with croner's `protect` so a slow run is never
 * overlapped (the skipped tick is logged). Runs go through a JobExecutor,
 * which logs them, keeps their outcome in job_runs and never throws.
 */
export class JobRunner implements JobsControl {
  private readonly schedules: Record<JobName, JobSchedule>;
  private readonly patterns: Record<JobName, Cron>;
  private readonly executor: JobExecutor;
  private readonly timeZone: string;
  private crons: Cron[] = [];
  private log: JobLogger;

  constructor(private readonly opts: JobRunnerOptions) {
    this.timeZone = opts.config.timeZone;
    this.schedules = jobSchedulesFrom(opts.config);
    this.patterns = Object.fromEntries(JOB_NAMES.map((n) => [n, cronPattern(this.schedules[n].schedule, this.timeZone)])) as Record<JobName, Cron>;
    this.log = opts.logger ?? silentJobLogger;
    this.executor = new JobExecutor(jobEnvironmentFrom(opts.config, opts.ctx), this.log, opts.catalog);
  }

  get started(): boolean {
    return this.crons.length > 0;
  }

  /** Arms the timers of the enabled jobs. Idempotent. */
  start(logger?: JobLogger): void {
    if (logger !== undefined) {
      this.log = logger;
      this.executor.setLogger(logger);
    }
    if (this.started) return;
    for (const name of JOB_NAMES) {
      const { schedule, enabled } = this.schedules[name];
      if (!enabled) continue;
      const cron = new Cron(
        schedule,
        {
          timezone: this.timeZone,
          mode: '5-or-6-parts',
          protect: () => this.log.warn({ job: name }, `job ${name} still running: scheduled run skipped`),
          catch: (error) => this.log.error({ job: name, err: error }, `job ${name}: scheduler error`),
        },
        () => this.scheduledRun(name),
      );
      this.crons.push(cron);
    }
    this.log.info({ jobs: JOB_NAMES.filter((n) => this.schedules[n].enabled), timeZone: this.timeZone }, 'job scheduler started');
  }

  /** Stops the timers, then waits for runs in flight, so the database can close under no job. */
  async stop(): Promise<void> {
    for (const cron of this.crons) cron.stop();
    this.crons = [];
    await this.executor.idle();
  }

  private async scheduledRun(name: JobName): Promise<void> {
    // A manual run in flight counts as running too: this tick is skipped.
    if (this.executor.runningSince(name) !== null) {
      this.log.warn({ job: name }, `job ${name} still running: scheduled run skipped`);
      return;
    }
    await this.executor.run(name, 'schedule', systemActor);
  }

  runNow(name: JobName, actor: Actor): Promise<JobRunOutcome> {
    return this.executor.run(name, 'manual', actor);
  }

  async statuses(): Promise<JobStatus[]> {
    const runs = await reading(() => listJobRuns(this.opts.ctx.db));
    const now = new Date(this.opts.ctx.clock.now());
    return JOB_NAMES.map((name) => {
      const { schedule, enabled } = this.schedules[name];
      const next = enabled && this.started ? this.patterns[name].nextRun(now) : null;
      return {
        name,
        description: this.executor.definition(name).description,
        enabled,
        schedule,
        timeZone: this.timeZone,
        nextRunAt: next === null ? null : next.getTime(),
        runningSince: this.executor.runningSince(name),
        last: runs.find((r) => r.name === name) ?? null,
      };
    });
  }
}
