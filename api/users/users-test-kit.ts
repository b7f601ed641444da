import type { Kysely } from 'kysely';
import { operatorActor, type Actor } from '../audit/audit-actions.ts';
import type { Database } from '../db/schema.ts';
import type { Session, SessionStatus } from '../sessions/sessions-table.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy } from '../shared/domain-context.ts';
import { createTestDb } from '../testing/test-db.ts';
import { MemoryPhotoStore } from './memory-photo-store.ts';
import type { PhotoStore } from './photo-store.ts';
import type { CreateUserInput } from './user-input.ts';
import type { UsersContext } from './users-context.ts';

/** Test helpers for the visitors domain: a real migrated SQLite, a fake clock, a photo store. */
export interface UsersKit {
  ctx: UsersContext & { clock: FakeClock };
  db: Kysely<Database>;
  clock: FakeClock;
  photos: PhotoStore;
  actor: Actor;
  operatorId: number;
}

export async function usersKit(options: { photos?: PhotoStore } = {}): Promise<UsersKit> {
  const db = await createTestDb();
  const clock = new FakeClock();
  const photos = options.photos ?? new MemoryPhotoStore(clock);
  const op = await db
    .insertInto('operators')
    .values({ username: 'accueil', display_name: 'Accueil', role: 'operator', password_hash: 'x', must_change_password: 0, active: 1, created_at: clock.now(), updated_at: clock.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ctx: { db, clock, policy: defaultPolicy, photos }, db, clock, photos, actor: operatorActor(op.id), operatorId: op.id };
}

/** A valid adult visitor (born 1990), with consent unless told otherwise. */
export function visitorInput(overrides: Partial<CreateUserInput> = {}): CreateUserInput {
  return {
    firstName: 'Marie',
    lastName: 'Payet',
    birthDate: '1990-05-14',
    phone: '0692 12 34 56',
    email: 'marie.payet@example.re',
    notes: 'Aide pour les démarches CAF.',
    consentGiven: true,
    ...overrides,
  };
}

let stationCount = 0;

export async function seedStation(db: Kysely<Database>, now: number): Promise<{ id: number; name: string; ip: string }> {
  stationCount += 1;
  const n = stationCount;
  const name = `POSTE-${String(n).padStart(2, '0')}`;
  const ip = `10.42.0.${10 + n}`;
  const mac = `52:54:00:00:${String(Math.floor(n / 100) % 100).padStart(2, '0')}:${String(n % 100).padStart(2, '0')}`;
  const row = await db
    .insertInto('stations')
    .values({ name, mac, ip, state: 'available', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, name, ip };
}

let codeCount = 0;

/** A session row in the given state, shaped as the sessions domain would leave it. */
export async function seedSession(
  db: Kysely<Database>,
  values: { userId: number; status: SessionStatus; now: number; stationId?: number; stationIp?: string; allottedMs?: number },
): Promise<Session> {
  codeCount += 1;
  const allotted = values.allottedMs ?? 3600_000;
  const started = values.status === 'pending' ? null : values.now - 600_000;
  return db
    .insertInto('sessions')
    .values({
      code: `TESTC${String(codeCount).padStart(3, '0')}`,
      user_id: values.userId,
      station_id: values.status === 'pending' ? null : (values.stationId ?? null),
      station_ip: values.status === 'pending' ? null : (values.stationIp ?? null),
      status: values.status,
      end_reason: values.status === 'ended' ? 'expired' : null,
      allotted_ms: allotted,
      remaining_ms: values.status === 'active' ? null : values.status === 'ended' ? 0 : values.status === 'suspended' ? allotted - 600_000 : allotted,
      ends_at: values.status === 'active' ? values.now + allotted - 600_000 : null,
      code_expires_at: values.now + 86_400_000,
      created_at: values.now - 700_000,
      started_at: started,
      suspended_at: values.status === 'suspended' ? values.now : null,
      ended_at: values.status === 'ended' ? values.now - 60_000 : null,
      updated_at: values.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function auditRows(db: Kysely<Database>) {
  return db.selectFrom('audit_events').selectAll().orderBy('id').execute();
}

export async function userCount(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Calls `work` and returns the DomainError code it threw (fails the test if none). */
export async function errorOf(work: () => Promise<unknown>): Promise<{ code: string; category: string; fields: { field: string }[]; details: Record<string, unknown> }> {
  try {
    await work();
  } catch (error) {
    return error as { code: string; category: string; fields: { field: string }[]; details: Record<string, unknown> };
  }
  throw new Error('expected an error, none was thrown');
}
