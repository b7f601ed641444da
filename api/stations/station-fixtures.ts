// Test helpers for the stations feature (imported by *.test.ts only).
import { operatorActor } from '../audit/audit-actions.ts';
import type { Db } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../shared/domain-context.ts';
import { createTestDb } from '../testing/test-db.ts';

export const admin = operatorActor(1);

export async function stationsTestContext(): Promise<DomainContext & { clock: FakeClock }> {
  return { db: await createTestDb(), clock: new FakeClock(), policy: { ...defaultPolicy, heartbeatTimeoutMs: 30_000 } };
}

/** A visitor row, written directly (the users feature is not needed here). */
export async function insertVisitor(db: Db, now: number): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ first_name: 'Test', last_name: 'Visitor', created_at: now, updated_at: now, consent_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A session running on a station, written directly as the sessions service would. */
export async function insertRunningSession(db: Db, stationId: number, now: number, status: 'active' | 'suspended' = 'active'): Promise<number> {
  const userId = await insertVisitor(db, now);
  const row = await db
    .insertInto('sessions')
    .values({
      code: `C${stationId}X${now}`.slice(0, 16),
      user_id: userId,
      bound_station_id: null,
      station_id: stationId,
      station_ip: null,
      status,
      end_reason: null,
      allotted_ms: 3_600_000,
      remaining_ms: status === 'active' ? null : 1_200_000,
      ends_at: status === 'active' ? now + 1_800_000 : null,
      code_expires_at: now + 86_400_000,
      created_at: now - 1_800_000,
      started_at: now - 1_800_000,
      suspended_at: status === 'suspended' ? now : null,
      ended_at: null,
      created_by: null,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function endSession(db: Db, sessionId: number, now: number): Promise<void> {
  await db.updateTable('sessions').set({ status: 'ended', end_reason: 'ended_by_operator', remaining_ms: 0, ends_at: null, ended_at: now, updated_at: now }).where('id', '=', sessionId).execute();
}

export async function auditTrail(db: Db): Promise<Array<{ action: string; target_id: number | null; actor_type: string; metadata: Record<string, unknown> }>> {
  const rows = await db.selectFrom('audit_events').select(['action', 'target_id', 'actor_type', 'metadata']).orderBy('id').execute();
  return rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
}
