import { Type, type Static } from '@sinclair/typebox';
import type { JobRunOutcome } from '../jobs/job-runs-repository.ts';
import type { JobStatus } from '../jobs/jobs-control.ts';
import { epochToIso, pageOf } from './common.ts';

const IsoOrNull = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const Summary = Type.Union([Type.Record(Type.String(), Type.Unknown(), { description: 'What the run did: counts, days, file names.' }), Type.Null()]);

/** One run of a job: the last one in the list, or the one just run. */
export const JobRun = Type.Object({
  name: Type.String(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
  durationSeconds: Type.Number({ description: 'Wall time of the run, in seconds (millisecond precision).' }),
  ok: Type.Boolean(),
  result: Summary,
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why the run failed (code and English message); null when it succeeded.' }),
});
export type JobRun = Static<typeof JobRun>;

export const Job = Type.Object({
  name: Type.String({ description: 'Also the configuration key: jobs.<name>.schedule / enabled.' }),
  description: Type.Object({ fr: Type.String(), en: Type.String() }),
  enabled: Type.Boolean(),
  schedule: Type.String({ description: 'Cron expression, read in timeZone.' }),
  timeZone: Type.String(),
  nextRunAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Null when disabled or when the scheduler is stopped.' }),
  running: Type.Boolean(),
  runningSince: IsoOrNull,
  lastRun: Type.Union([JobRun, Type.Null()]),
  lastSuccessAt: IsoOrNull,
  lastError: Type.Union([Type.Object({ at: Type.String({ format: 'date-time' }), message: Type.String() }), Type.Null()], {
    description: 'The latest failure, kept after later successes.',
  }),
  runs: Type.Integer(),
  failures: Type.Integer(),
});
export type Job = Static<typeof Job>;

export const JobPage = pageOf(Job);

export const JobNameParams = Type.Object({ name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' }) });

const seconds = (ms: number) => Math.round(Number(ms)) / 1000;

export function jobRunToWire(run: JobRunOutcome): JobRun {
  return {
    name: run.name,
    trigger: run.trigger,
    startedAt: epochToIso(run.startedAt)!,
    finishedAt: epochToIso(run.finishedAt)!,
    durationSeconds: seconds(run.durationMs),
    ok: run.ok,
    result: run.result as Record<string, unknown> | null,
    error: run.error,
  };
}

export function jobToWire(s: JobStatus): Job {
  const last = s.last;
  return {
    name: s.name,
    description: s.description,
    enabled: s.enabled,
    schedule: s.schedule,
    timeZone: s.timeZone,
    nextRunAt: epochToIso(s.nextRunAt),
    running: s.runningSince !== null,
    runningSince: epochToIso(s.runningSince),
    lastRun:
      last === null
        ? null
        : jobRunToWire({
            name: last.name,
            trigger: last.trigger,
            startedAt: Number(last.started_at),
            finishedAt: Number(last.finished_at),
            durationMs: Number(last.duration_ms),
            ok: last.ok === 1,
            result: last.result === null ? null : (JSON.parse(last.result) as object),
            error: last.error,
          }),
    lastSuccessAt: epochToIso(last?.last_ok_at),
    lastError: last?.last_error_at == null ? null : { at: epochToIso(last.last_error_at)!, message: last.last_error ?? '' },
    runs: Number(last?.runs ?? 0),
    failures: Number(last?.failures ?? 0),
  };
}
