// Test helpers for the jobs (imported by *.test.ts only): a real migrated SQLite, a FakeClock, a temp archive dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemActor, type AuditAction } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { Db } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../shared/domain-context.ts';
import { createTestDb } from '../testing/test-db.ts';
import type { JobDeps, JobEnvironment } from './job-types.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MIN = 60_000;

export interface JobKit {
  db: Db;
  clock: FakeClock;
  ctx: DomainContext;
  env: JobEnvironment;
  /** The deps of a run at the clock's now, by the system. */
  deps(over?: Partial<JobDeps>): JobDeps;
  cleanup(): Promise<void>;
}

/** Local Réunion time (UTC+4) as epoch ms: `reunion('2026-03-02T08:00')`. */
export const reunion = (local: string): number => Date.parse(`${local}:00+04:00`);

export async function makeJobKit(start = reunion('2026-03-02T06:00')): Promise<JobKit> {
  const db = await createTestDb();
  const clock = new FakeClock(start);
  const ctx: DomainContext = { db, clock, policy: { ...defaultPolicy } };
  const dir = mkdtempSync(join(tmpdir(), 'epnbox-jobs-'));
  const env: JobEnvironment = {
    ctx,
    retention: { connectionRecordsDays: 365, authRecordsDays: 90, reportsDays: 730 },
    archive: { dir: join(dir, 'archive'), afterMonths: 12 },
  };
  return {
    db,
    clock,
    ctx,
    env,
    deps: (over = {}) => ({ ...env, now: clock.now(), actor: systemActor, ...over }),
    cleanup: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `count` audit events, one every `stepMs` from the clock's now (the clock ends after the last one). */
export async function addAuditEvents(kit: JobKit, count: number, stepMs: number, action: AuditAction = 'settings.changed'): Promise<void> {
  await kit.db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i += 1) {
      await appendAudit(trx, kit.clock, { actor: systemActor, action, metadata: { n: i } });
      kit.clock.advance(stepMs);
    }
  });
}

export async function auditRows(db: Db) {
  return db.selectFrom('audit_events').selectAll().orderBy('id').execute();
}

export async function lastEvent(db: Db) {
  const row = await db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  return { ...row, meta: JSON.parse(row.metadata) as Record<string, unknown> };
}
