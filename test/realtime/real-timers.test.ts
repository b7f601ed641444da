import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { operatorActor, systemActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import type { Clock } from '../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { createSession, startSession } from '../../api/sessions/sessions-service.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { createTestDb } from '../../api/testing/test-db.ts';
import { MemoryPhotoStore } from '../../api/users/memory-photo-store.ts';
import { createUser } from '../../api/users/users-service.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { TestClient } from './ws-client.ts';

/**
 * The real event loop and real timers (ClockTimers), on a clock that runs at
 * real speed from a shifted origin: sessions of one minute are started, then
 * the clock is moved to a little before their deadlines, as if they had run
 * for most of their time, and the scheduler is started. What it measures
 * (how late the expiry commits and the station hears `ended`) is reported,
 * not asserted: speed is for benchmarks. What is asserted is that each
 * session ends, at its deadline.
 */
const SESSIONS = 12;
let shift = 0;
const clock: Clock = { now: () => Date.now() + shift };
let app: FastifyInstance;
let ctx: DomainContext;

beforeAll(async () => {
  const db = await createTestDb();
  ctx = { db, clock, policy: defaultPolicy };
  await createOperator(ctx, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: 'marie-password-2026', mustChangePassword: false });
  app = await buildApp({ ctx, config: resolveConfig({}), version: 'test', tokenKey: Buffer.alloc(32, 3), photos: new MemoryPhotoStore(clock) });
  await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await ctx.db.destroy();
});

describe('deadlines on real timers', () => {
  it('ends each session at its deadline, the station told within moments (figures reported)', async () => {
    const url = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws/station`;
    const runs: Array<{ sessionId: number; endsAt: number; client: TestClient }> = [];
    for (let i = 0; i < SESSIONS; i += 1) {
      const station = await createStation(ctx, operatorActor(1), { name: `real-${i}`, mac: `02:cc:00:00:00:${String(i).padStart(2, '0')}` });
      const client = await TestClient.connect(url, { headers: { authorization: `Bearer ${await issueStationToken(ctx, station.id)}` } });
      await client.next('connection_established');
      const user = await createUser(ctx, operatorActor(1), { firstName: 'Test', lastName: `Réel ${'abcdefghijkl'[i]}`, birthDate: '1990-01-01', phone: '0692 00 00 00', consentGiven: true });
      const code = await createSession(ctx, { userId: user.id, durationMinutes: 1 }, operatorActor(1));
      shift += 97; // staggered deadlines, ~0.1 s apart
      const started = await startSession(ctx, code.code, station.id);
      runs.push({ sessionId: started.id, endsAt: started.endsAt!, client });
    }
    // As if they had run 59 s of their minute; the agents keep beating through it.
    shift += 59_000 - SESSIONS * 97;
    const beats = setInterval(() => runs.forEach((r) => r.client.send({ v: 1, type: 'heartbeat', uptimeSeconds: 1, load: 0 })), 5_000);
    try {
      await app.realtime.start();
      const lateness: Array<{ commit: number; received: number }> = [];
      for (const run of runs) {
        const ended = await run.client.next('ended', 15_000);
        const received = clock.now() - run.endsAt;
        const row = await ctx.db.selectFrom('audit_events').select('occurred_at').where('action', '=', 'session.expired').where('target_id', '=', run.sessionId).executeTakeFirstOrThrow();
        lateness.push({ commit: Number(row.occurred_at) - run.endsAt, received });
        expect(ended).toMatchObject({ sessionId: run.sessionId, endReason: 'expired' });
        const session = await ctx.db.selectFrom('sessions').select('ended_at').where('id', '=', run.sessionId).executeTakeFirstOrThrow();
        expect(session.ended_at).toBe(run.endsAt);
      }
      const stat = (xs: number[]) => ({ min: Math.min(...xs), median: xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)], max: Math.max(...xs) });
      console.warn(`deadline lateness over ${SESSIONS} sessions (ms after ends_at): expiry committed ${JSON.stringify(stat(lateness.map((l) => l.commit)))}, ended read by the test after it ${JSON.stringify(stat(lateness.map((l) => l.received)))}`);
    } finally {
      clearInterval(beats);
    }
  });
});
