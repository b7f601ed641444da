import { join, resolve } from 'node:path';
import { Cron } from 'croner';
import { JOB_NAMES, type JobEnvironment, type JobName } from '../../api/jobs/job-types.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import type { AppConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/load-config.ts';

export interface JobSchedule {
  schedule: string;
  enabled: boolean;
}

/** A pattern-only Cron (no function, so no timer): parses the expression and answers nextRun. */
export function cronPattern(schedule: string, timeZone: string): Cron {
  return new Cron(schedule, { timezone: timeZone, mode: '5-or-6-parts' });
}

/**
 * Each job's schedule from the configuration, every expression parsed now so
 * a typo stops the start with the key's name instead of a job that never runs.
 */
export function jobSchedulesFrom(config: AppConfig): Record<JobName, JobSchedule> {
  const schedules = {} as Record<JobName, JobSchedule>;
  for (const name of JOB_NAMES) {
    const { schedule, enabled } = config.jobs[name];
    try {
      cronPattern(schedule, config.timeZone);
    } catch (error) {
      throw new ConfigError(
        `config: invalid value for jobs.${name}.schedule: ${JSON.stringify(schedule)}; expected a cron expression such as "0 3 * * *" (${(error as Error).message})`,
      );
    }
    schedules[name] = { schedule, enabled };
  }
  return schedules;
}

/** What every job receives, from the configuration: retention, archive directory and age. */
export function jobEnvironmentFrom(config: AppConfig, ctx: DomainContext): JobEnvironment {
  return {
    ctx,
    retention: {
      connectionRecordsDays: config.retention.connectionRecordsDays,
      authRecordsDays: config.retention.authRecordsDays,
      reportsDays: config.retention.reportsDays,
    },
    archive: { dir: join(resolve(config.dataDir), 'archive'), afterMonths: config.archive.afterMonths },
  };
}
