import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor, systemActor } from '../audit/audit-actions.ts';
import { invalid } from '../shared/errors.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { JOB_CATALOG } from './job-catalog.ts';
import { JobExecutor, type JobLogger } from './job-executor.ts';
import { listJobRuns } from './job-runs-repository.ts';
import type { JobDefinition, JobDeps, JobName } from './job-types.ts';
import { makeJobKit, type JobKit } from './jobs-test-kit.ts';

interface Logged {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function memoryLogger(): JobLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: Logged['level']) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A job whose runs finish when the test says so. */
function gatedJob(name: JobName) {
  const gates: Array<{ open: (result: object) => void; fail: (e: unknown) => void }> = [];
  const seen: JobDeps[] = [];
  const definition: JobDefinition = {
    name,
    description: { fr: 'test', en: 'test' },
    run: (deps) =>
      new Promise((resolve, reject) => {
        seen.push(deps);
        gates.push({ open: resolve, fail: reject });
      }),
  };
  return { definition, gates, seen };
}

describe('job executor', () => {
  let kit: JobKit;
  let log: ReturnType<typeof memoryLogger>;
  beforeEach(async () => {
    kit = await makeJobKit();
    log = memoryLogger();
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  it('runs a job, logs its duration and result, and keeps the run in job_runs', async () => {
    const job = gatedJob('purge');
    const executor = new JobExecutor(kit.env, log, { ...JOB_CATALOG, purge: job.definition });
    const started = kit.clock.now();
    const run = executor.run('purge', 'manual', operatorActor(4));
    expect(executor.runningSince('purge')).toBe(started);
    kit.clock.advance(1500);
    job.gates[0]!.open({ deleted: 3 });
    expect(await run).toEqual({ name: 'purge', trigger: 'manual', startedAt: started, finishedAt: started + 1500, durationMs: 1500, ok: true, result: { deleted: 3 }, error: null });
    expect(job.seen[0]).toMatchObject({ now: started, actor: operatorActor(4), retention: kit.env.retention });
    expect(executor.runningSince('purge')).toBeNull();
    expect(log.lines).toEqual([{ level: 'info', fields: { job: 'purge', trigger: 'manual', durationMs: 1500, result: { deleted: 3 } }, message: 'job purge done' }]);
    expect(await listJobRuns(kit.db)).toEqual([
      expect.objectContaining({ name: 'purge', ok: 1, trigger: 'manual', duration_ms: 1500, result: '{"deleted":3}', error: null, last_ok_at: started + 1500, runs: 1, failures: 0 }),
    ]);
  });

  it('refuses a second run of a job still running, and lets other jobs run', async () => {
    const job = gatedJob('purge');
    const other = gatedJob('auditReport');
    const executor = new JobExecutor(kit.env, log, { ...JOB_CATALOG, purge: job.definition, auditReport: other.definition });
    const first = executor.run('purge', 'schedule', systemActor);
    await expect(executor.run('purge', 'manual', operatorActor(1))).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING', category: 'conflict' });
    const parallel = executor.run('auditReport', 'manual', systemActor);
    job.gates[0]!.open({});
    other.gates[0]!.open({});
    await Promise.all([first, parallel, executor.idle()]);
    expect(job.seen).toHaveLength(1);
    const again = executor.run('purge', 'manual', systemActor);
    job.gates[1]!.open({});
    expect(await again).toMatchObject({ ok: true });
  });

  it('never throws for a failing job: the error is logged and kept after later successes', async () => {
    const job = gatedJob('purge');
    const executor = new JobExecutor(kit.env, log, { ...JOB_CATALOG, purge: job.definition });
    const failing = executor.run('purge', 'schedule', systemActor);
    job.gates[0]!.fail(invalid('SOMETHING_WRONG', 'Quelque chose', 'Something wrong'));
    const failed = await failing;
    expect(failed).toMatchObject({ ok: false, result: null, error: 'SOMETHING_WRONG: Something wrong' });
    expect(log.lines[0]).toMatchObject({ level: 'error', message: 'job purge failed', fields: { job: 'purge', err: expect.objectContaining({ code: 'SOMETHING_WRONG' }) } });

    kit.clock.advance(60_000);
    const next = executor.run('purge', 'schedule', systemActor);
    job.gates[1]!.fail(new Error('disk full'));
    expect(await next).toMatchObject({ ok: false, error: 'disk full' });
    kit.clock.advance(60_000);
    const ok = executor.run('purge', 'schedule', systemActor);
    job.gates[2]!.open({ n: 1 });
    await ok;
    const [row] = await listJobRuns(kit.db);
    expect(row).toMatchObject({ ok: 1, error: null, last_error: 'disk full', last_error_at: failed.finishedAt + 60_000, runs: 3, failures: 2 });
  });

  it('still answers when the run cannot be recorded, and says so in the log', async () => {
    const executor = new JobExecutor({ ...kit.env, ctx: { ...kit.ctx, db: failingWhen(kit.db, insertInto('job_runs')) } }, log);
    const outcome = await executor.run('silentStations', 'manual', systemActor);
    expect(outcome).toMatchObject({ ok: true, result: { stationsOffline: 0, stationIds: [] } });
    expect(log.lines.map((l) => `${l.level}: ${l.message}`)).toEqual(['info: job silentStations done', 'error: job silentStations: its run could not be recorded']);
    expect(await listJobRuns(kit.db)).toEqual([]);
  });
});
