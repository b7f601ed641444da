import type { Actor } from '../audit/audit-actions.ts';
import type { DomainContext } from '../shared/domain-context.ts';

/** How long data is kept before the purge job removes it. */
export interface RetentionPolicy {
  /**
   * Ended sessions (connection records: visitor, station, IP, start, end) are
   * kept this many days; the runtime setting retention.connectionRecordsDays,
   * when an admin stored one, wins.
   */
  connectionRecordsDays: number;
  /** Operator logins (auth sessions, refresh tokens) and revoked station tokens, counted from their end. */
  authRecordsDays: number;
  /** Daily reports, counted from the end of the day they describe. */
  reportsDays: number;
}

export interface ArchivePolicy {
  /** Directory of the archive files (<dataDir>/archive). */
  dir: string;
  /** Audit events older than this many whole local months are moved to files. */
  afterMonths: number;
}

/** What the appliance hands every job, once, from its configuration. */
export interface JobEnvironment {
  ctx: DomainContext;
  retention: RetentionPolicy;
  archive: ArchivePolicy;
}

/** One run's inputs: the environment, the instant it runs at, and who asked (system, or the admin who pressed "run"). */
export interface JobDeps extends JobEnvironment {
  now: number;
  actor: Actor;
}

/** A small JSON summary of what a run did (counts, ids, file names): shown by GET /api/jobs. */
export type JobResult = object;

export const JOB_NAMES = ['expireCodes', 'silentStations', 'sessionsReport', 'auditReport', 'purge', 'auditArchive'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export function isJobName(value: string): value is JobName {
  return (JOB_NAMES as readonly string[]).includes(value);
}

export interface JobDefinition {
  name: JobName;
  /** What the job does, for the admin panel: French first. */
  description: { fr: string; en: string };
  run(deps: JobDeps): Promise<JobResult>;
}
