/** Test setup for the sessions folder: a real migrated SQLite, a FakeClock and rows inserted directly. */
import { operatorActor } from '../audit/audit-actions.ts';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { Db } from '../db/schema.ts';
import type { NewStation } from '../stations/stations-table.ts';
import type { NewUser } from '../users/users-table.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy, type DomainContext, type DomainPolicy } from '../shared/domain-context.ts';
import { createTestDb } from '../testing/test-db.ts';
import { CODE_ALPHABET, type RandomSource } from './access-code.ts';
import { createSession, type CreateSessionInput } from './issue-session.ts';
import type { SessionView } from './session-view.ts';

export const OPERATOR_ID = 1;
export const operator = operatorActor(OPERATOR_ID);

export interface Kit {
  db: Db;
  clock: FakeClock;
  ctx: DomainContext;
}

export async function makeKit(policy: Partial<DomainPolicy> = {}, start = Date.parse('2026-03-02T08:00:00Z')): Promise<Kit> {
  const db = await createTestDb();
  const clock = new FakeClock(start);
  await db
    .insertInto('operators')
    .values({ id: OPERATOR_ID, username: 'agent', display_name: 'Agent', role: 'operator', password_hash: 'x', must_change_password: 0, active: 1, created_at: 0, updated_at: 0 })
    .execute();
  return { db, clock, ctx: { db, clock, policy: { ...defaultPolicy, ...policy } } };
}

export async function insertUser(db: Db, over: Partial<NewUser> = {}): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ first_name: 'Marie', last_name: 'Hoarau', birth_date: '1980-05-04', consent_at: 1, consent_text_version: '2026-01', created_at: 0, updated_at: 0, ...over })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let stationSeq = 0;
export async function insertStation(db: Db, over: Partial<NewStation> = {}): Promise<number> {
  stationSeq += 1;
  const n = stationSeq;
  const mac = `02:00:00:00:${String(Math.floor(n / 100) % 100).padStart(2, '0')}:${String(n % 100).padStart(2, '0')}`;
  const row = await db
    .insertInto('stations')
    .values({ name: `poste-${n}`, mac, ip: `10.0.${Math.floor(n / 250)}.${(n % 250) + 2}`, state: 'available', created_at: 0, updated_at: 0, ...over })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function stationState(db: Db, id: number): Promise<string> {
  return (await db.selectFrom('stations').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;
}

export async function auditActions(db: Db): Promise<AuditAction[]> {
  return (await db.selectFrom('audit_events').select('action').orderBy('id').execute()).map((r) => r.action);
}

export async function lastAudit(db: Db) {
  const row = await db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  return { ...row, meta: JSON.parse(row.metadata) as Record<string, unknown> };
}

export function issue(kit: Kit, userId: number, over: Partial<CreateSessionInput> = {}, random?: RandomSource): Promise<SessionView> {
  return createSession(kit.ctx, { userId, durationMinutes: 60, ...over }, operator, random === undefined ? {} : { random });
}

/** A random source that spells the given codes one after the other, then repeats the last one forever. */
export function scriptedRandom(...codes: string[]): RandomSource {
  const indices = (c: string) => [...c].map((ch) => CODE_ALPHABET.indexOf(ch));
  const script = codes.flatMap(indices);
  const last = indices(codes[codes.length - 1] ?? 'A');
  let i = 0;
  return {
    int: () => {
      const at = i++;
      return at < script.length ? script[at]! : last[(at - script.length) % last.length]!;
    },
  };
}

export const MIN = 60_000;
