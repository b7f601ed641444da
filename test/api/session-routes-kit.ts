/** Setup shared by the session route tests: the real app, visitors and stations made through their own services. */
import type { LightMyRequestResponse } from 'fastify';
import type { RootOperationNode } from 'kysely';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { failingWhen } from '../../api/testing/broken-db.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { createUser } from '../../api/users/users-service.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

export type Headers = Record<string, string>;

export interface SessionHarness extends ApiHarness {
  /** Bearer headers of the operator `marie` and of `admin`. */
  marie: Headers;
  admin: Headers;
  visitor(overrides?: Record<string, unknown>): Promise<number>;
  /** An approved, available station and the headers of its token. */
  station(): Promise<{ id: number; name: string; ip: string; headers: Headers }>;
  /** Issues a code as marie; returns the JSON body. */
  issue(userId: number, body?: Record<string, unknown>): Promise<WireSession>;
  call(method: string, url: string, headers?: Headers, payload?: unknown): Promise<LightMyRequestResponse>;
  actions(): Promise<Array<{ action: string; actor_type: string; actor_id: number | null; target_id: number | null; metadata: Record<string, unknown> }>>;
}

export interface WireSession {
  id: number;
  code: string;
  status: string;
  stationId: number | null;
  boundStationId: number | null;
  [key: string]: unknown;
}

let seq = 0;

export async function createSessionHarness(): Promise<SessionHarness> {
  const h = await createApiHarness();
  const admin = operatorActor(1);
  const marie = await h.bearer('marie');
  const adminHeaders = await h.bearer('admin');
  const call: SessionHarness['call'] = (method, url, headers = {}, payload) =>
    h.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return {
    ...h,
    marie,
    admin: adminHeaders,
    call,
    visitor: async (overrides = {}) => {
      const view = await createUser(h.ctx, admin, {
        firstName: 'Marie',
        lastName: 'Payet',
        birthDate: '1990-05-14',
        phone: '0692 12 34 56',
        consentGiven: true,
        ...overrides,
      });
      return view.id;
    },
    station: async () => {
      seq += 1;
      const n = seq % 200;
      const name = `poste-${process.pid % 1000}-${seq}`;
      const ip = `10.1.${Math.floor(seq / 200) % 250}.${n + 2}`;
      const view = await createStation(h.ctx, admin, { name, mac: `02:aa:00:00:${String(Math.floor(seq / 100) % 100).padStart(2, '0')}:${String(seq % 100).padStart(2, '0')}`, ip });
      const token = await issueStationToken(h.ctx, view.id);
      return { id: view.id, name, ip, headers: { authorization: `Bearer ${token}` } };
    },
    issue: async (userId, body = {}) => {
      const res = await call('POST', '/api/sessions', marie, { userId, durationMinutes: 60, ...body });
      if (res.statusCode !== 201) throw new Error(`issue: ${res.statusCode} ${res.body}`);
      return res.json<WireSession>();
    },
    actions: async () =>
      (await h.db.selectFrom('audit_events').selectAll().orderBy('id').execute()).map((r) => ({
        action: r.action,
        actor_type: r.actor_type,
        actor_id: r.actor_id,
        target_id: r.target_id,
        metadata: JSON.parse(r.metadata) as Record<string, unknown>,
      })),
  };
}

/** A code of the right shape that no session holds (the alphabet has no 0, 1, I, L, O). */
export const WRONG_CODE = 'ZZZZ-ZZZZ';

/**
 * Runs `work` while the statements matching `shouldFail` fail in the domain's
 * database. The routes read ctx.db at each call, so swapping it is enough;
 * the login check keeps the real database.
 */
export async function withFailingDb<T>(h: SessionHarness, shouldFail: (node: RootOperationNode) => boolean, work: () => Promise<T>): Promise<T> {
  const real = h.ctx.db;
  h.ctx.db = failingWhen(real, shouldFail);
  try {
    return await work();
  } finally {
    h.ctx.db = real;
  }
}
