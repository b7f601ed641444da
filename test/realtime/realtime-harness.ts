import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { systemActor, operatorActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import type { Database } from '../../api/db/schema.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { FakeTimers } from '../../api/realtime/fake-timers.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { createTestDb } from '../../api/testing/test-db.ts';
import { MemoryPhotoStore } from '../../api/users/memory-photo-store.ts';
import { createUser } from '../../api/users/users-service.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { TestClient } from './ws-client.ts';

export type Headers = Record<string, string>;

export interface RealtimeHarness {
  app: FastifyInstance;
  db: Kysely<Database>;
  clock: FakeClock;
  timers: FakeTimers;
  ctx: DomainContext;
  /** ws://127.0.0.1:<port> */
  wsUrl: string;
  /** Bearer headers of marie (operator) and admin. */
  marie: Headers;
  admin: Headers;
  visitor(): Promise<number>;
  station(): Promise<{ id: number; token: string; headers: Headers }>;
  /** Issues a code as marie; returns the session's wire JSON. */
  issue(userId: number, minutes?: number): Promise<{ id: number; code: string }>;
  post(url: string, headers: Headers, payload?: unknown): Promise<{ statusCode: number; json: () => Record<string, unknown> }>;
  connectStation(token: string): Promise<TestClient>;
  connectOperator(headers?: Headers): Promise<TestClient>;
  /** Moves time by `ms` in 10 s steps, the station beating at each step as its agent does. */
  beating(client: TestClient, ms: number): Promise<void>;
  /** Waits for every realtime batch, expiry and check started so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const PASSWORD = { admin: 'admin-password-2026', marie: 'marie-password-2026' };
let seq = 0;

export interface HarnessOptions {
  db?: Kysely<Database>;
  clock?: FakeClock;
  /** Run the deadline scheduler (as the appliance does after migrations). */
  startScheduler?: boolean;
  /** Create the two operators (a reopened database already has them). */
  seedOperators?: boolean;
  warningSeconds?: string;
  /** buildApp's idleConnectionMs. */
  idleConnectionMs?: number;
}

/** The real app on a real socket (127.0.0.1, port 0), FakeClock time and FakeTimers for every realtime timer. */
export async function createRealtimeHarness(options: HarnessOptions = {}): Promise<RealtimeHarness> {
  const db = options.db ?? (await createTestDb());
  const clock = options.clock ?? new FakeClock();
  const timers = new FakeTimers(clock);
  const ctx: DomainContext = { db, clock, policy: defaultPolicy };
  if (options.seedOperators ?? true) {
    for (const username of ['admin', 'marie'] as const) {
      await createOperator(ctx, systemActor, { username, displayName: username, role: username === 'admin' ? 'admin' : 'operator', password: PASSWORD[username], mustChangePassword: false });
    }
  }
  const config = resolveConfig({ env: options.warningSeconds === undefined ? {} : { EPNBOX_REALTIME_WARNING_SECONDS: options.warningSeconds } });
  const app = await buildApp({ ctx, config, version: 'test', tokenKey: Buffer.alloc(32, 7), photos: new MemoryPhotoStore(clock), timers, ...(options.idleConnectionMs === undefined ? {} : { idleConnectionMs: options.idleConnectionMs }) });
  timers.settle = () => app.realtime.settled();
  if (options.startScheduler ?? true) await app.realtime.start();
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const wsUrl = address.replace(/^http/, 'ws');
  const login = async (username: 'admin' | 'marie'): Promise<Headers> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD[username] } });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    return { authorization: `Bearer ${res.json<{ accessToken: string }>().accessToken}` };
  };
  const marie = await login('marie');
  const admin = await login('admin');
  const post: RealtimeHarness['post'] = async (url, headers, payload) => {
    const res = await app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { statusCode: res.statusCode, json: () => res.json<Record<string, unknown>>() };
  };
  return {
    app,
    db,
    clock,
    timers,
    ctx,
    wsUrl,
    marie,
    admin,
    visitor: async () => {
      const view = await createUser(ctx, operatorActor(1), { firstName: 'Marie', lastName: 'Payet', birthDate: '1990-05-14', phone: '0692 12 34 56', consentGiven: true });
      return view.id;
    },
    station: async () => {
      seq += 1;
      const hex = (n: number) => String(n % 100).padStart(2, '0');
      const view = await createStation(ctx, operatorActor(1), { name: `rt-${process.pid % 1000}-${seq}`, mac: `02:bb:00:${hex(process.pid)}:${hex(Math.floor(seq / 100))}:${hex(seq)}` });
      const token = await issueStationToken(ctx, view.id);
      return { id: view.id, token, headers: { authorization: `Bearer ${token}` } };
    },
    issue: async (userId, minutes = 60) => {
      const res = await post('/api/sessions', marie, { userId, durationMinutes: minutes });
      if (res.statusCode !== 201) throw new Error(`issue: ${res.statusCode} ${JSON.stringify(res.json())}`);
      return res.json() as { id: number; code: string };
    },
    post,
    connectStation: (token) => TestClient.connect(`${wsUrl}/ws/station`, { headers: { authorization: `Bearer ${token}` } }),
    connectOperator: (headers) => TestClient.connect(`${wsUrl}/ws/operator`, { headers: headers ?? marie }),
    beating: async (client, ms) => {
      for (let left = ms; left > 0; left -= 10_000) {
        await timers.advance(Math.min(10_000, left));
        if (client.socket.readyState !== client.socket.OPEN) continue;
        client.send({ v: 1, type: 'heartbeat', uptimeSeconds: 60, load: 0.1, requestId: 'beat' });
        await client.next('heartbeat_ack');
      }
    },
    settle: () => app.realtime.settled(),
    close: async () => {
      await app.close();
      if (!options.db) await db.destroy();
    },
  };
}

export const MIN = 60_000;
