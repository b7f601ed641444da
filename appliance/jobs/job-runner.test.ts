import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import type { Db } from '../../api/db/schema.ts';
import { JOB_CATALOG } from '../../api/jobs/job-catalog.ts';
import type { JobLogger } from '../../api/jobs/job-executor.ts';
import { listJobRuns } from '../../api/jobs/job-runs-repository.ts';
import type { JobDefinition, JobName } from '../../api/jobs/job-types.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { createTestDb } from '../../api/testing/test-db.ts';
import { resolveConfig } from '../config/load-config.ts';
import { JobRunner } from './job-runner.ts';

const reunion = (local: string): number => Date.parse(`${local}:00+04:00`);

function memoryLogger(): JobLogger & { messages: string[] } {
  const messages: string[] = [];
  const at = (level: string) => (_fields: Record<string, unknown>, message: string) => void messages.push(`${level}: ${message}`);
  return { messages, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A job whose runs finish when the test says so. */
function gatedJob(name: JobName) {
  const gates: Array<() => void> = [];
  const definition: JobDefinition = { name, description: { fr: 't', en: 't' }, run: () => new Promise((resolve) => gates.push(() => resolve({ done: true }))) };
  return { definition, gates };
}

describe('job runner (croner)', () => {
  let db: Db;
  let ctx: DomainContext;
  let dataDir: string;
  let runner: JobRunner | undefined;
  beforeEach(async () => {
    vi.useFakeTimers({ now: reunion('2026-03-02T05:58'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    db = await createTestDb();
    // The domain clock follows the faked Date, as the system clock does in production.
    ctx = { db, clock: { now: () => Date.now() }, policy: defaultPolicy };
    dataDir = mkdtempSync(join(tmpdir(), 'epnbox-runner-'));
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    vi.useRealTimers();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const config = (file: Record<string, unknown> = {}) => resolveConfig({ file: { dataDir, ...file } });
  const runsOf = async (name: string) => (await listJobRuns(db)).find((r) => r.name === name);

  it('runs each job on its cron schedule in the configured time zone, and shows the next run', async () => {
    const log = memoryLogger();
    runner = new JobRunner({ ctx, config: config() });
    const before = await runner.statuses();
    expect(before.every((s) => s.nextRunAt === null)).toBe(true);
    runner.start(log);
    const statuses = await runner.statuses();
    expect(statuses.map((s) => s.name)).toEqual(['expireCodes', 'silentStations', 'sessionsReport', 'auditReport', 'purge', 'auditArchive']);
    const next = Object.fromEntries(statuses.map((s) => [s.name, s.nextRunAt]));
    expect(next).toEqual({
      expireCodes: reunion('2026-03-02T06:00'),
      silentStations: reunion('2026-03-02T05:59'),
      sessionsReport: reunion('2026-03-02T06:00'),
      auditReport: reunion('2026-03-02T06:30'),
      purge: reunion('2026-03-03T03:00'),
      auditArchive: reunion('2026-04-01T01:00'),
    });
    expect(statuses[2]).toMatchObject({ schedule: '0 6 * * *', timeZone: 'Indian/Reunion', enabled: true, runningSince: null, last: null });

    await vi.advanceTimersByTimeAsync(2 * 60_000 + 1000);
    expect(await runsOf('sessionsReport')).toMatchObject({ ok: 1, trigger: 'schedule', started_at: reunion('2026-03-02T06:00') });
    expect(await runsOf('silentStations')).toMatchObject({ runs: 2 });
    expect(await runsOf('auditReport')).toBeUndefined();
    expect(await db.selectFrom('reports').select(['kind', 'day']).execute()).toEqual([{ kind: 'sessions', day: '2026-03-01' }]);
    expect(log.messages).toContain('info: job sessionsReport done');
  });

  it('never overlaps a run: the tick that finds the job running is skipped and logged', async () => {
    const log = memoryLogger();
    const slow = gatedJob('silentStations');
    runner = new JobRunner({ ctx, config: config(), catalog: { ...JOB_CATALOG, silentStations: slow.definition } });
    runner.start(log);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(slow.gates).toHaveLength(1);
    expect((await runner.statuses())[1]!.runningSince).toBe(reunion('2026-03-02T05:59'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slow.gates).toHaveLength(1);
    expect(log.messages).toContain('warn: job silentStations still running: scheduled run skipped');
    await expect(runner.runNow('silentStations', operatorActor(1))).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING' });
    slow.gates[0]!();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slow.gates).toHaveLength(2);
    slow.gates[1]!();
  });

  it('does not schedule a disabled job, which an admin can still run', async () => {
    vi.setSystemTime(reunion('2026-03-03T02:58'));
    runner = new JobRunner({ ctx, config: config({ jobs: { purge: { enabled: false } } }) });
    runner.start();
    const purge = (await runner.statuses()).find((s) => s.name === 'purge');
    expect(purge).toMatchObject({ enabled: false, nextRunAt: null, schedule: '0 3 * * *' });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(await runsOf('silentStations')).toMatchObject({ runs: 5 });
    expect(await runsOf('purge')).toBeUndefined();
    expect(await runner.runNow('purge', operatorActor(2))).toMatchObject({ name: 'purge', trigger: 'manual', ok: true });
    expect(await runsOf('purge')).toMatchObject({ trigger: 'manual', runs: 1 });
  });

  it('stops its timers and waits for the run in flight', async () => {
    const slow = gatedJob('silentStations');
    runner = new JobRunner({ ctx, config: config(), catalog: { ...JOB_CATALOG, silentStations: slow.definition } });
    runner.start();
    await vi.advanceTimersByTimeAsync(61_000);
    let stopped = false;
    const stopping = runner.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(stopped).toBe(false);
    expect(slow.gates).toHaveLength(1);
    slow.gates[0]!();
    await stopping;
    expect(await runsOf('silentStations')).toMatchObject({ ok: 1, runs: 1 });
    expect((await runner.statuses()).every((s) => s.nextRunAt === null)).toBe(true);
  });

  it('refuses a schedule that is not a cron expression, naming the key', () => {
    expect(() => new JobRunner({ ctx, config: config({ jobs: { purge: { schedule: 'every night' } } }) })).toThrow(
      /^config: invalid value for jobs\.purge\.schedule: "every night"; expected a cron expression/,
    );
    expect(() => new JobRunner({ ctx, config: config({ jobs: { auditReport: { schedule: '61 6 * * *' } } }) })).toThrow(/jobs\.auditReport\.schedule/);
  });

  it('accepts cron nicknames and six-field expressions', async () => {
    runner = new JobRunner({ ctx, config: config({ jobs: { purge: { schedule: '@daily' }, silentStations: { schedule: '*/20 * * * * *' } } }) });
    runner.start();
    const next = Object.fromEntries((await runner.statuses()).map((s) => [s.name, s.nextRunAt]));
    expect(next.purge).toBe(reunion('2026-03-03T00:00'));
    expect(next.silentStations).toBe(reunion('2026-03-02T05:58') + 20_000);
  });
});
