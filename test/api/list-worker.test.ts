// The list pages read on the worker thread, with its own read-only connection to a real
// SQLite file: the same bodies as the main thread writes, read-your-writes, domain and
// storage errors as the same problems, a killed worker, and nothing left after app.close().
import { readdirSync, readlinkSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPageBody, type ListRequest } from '../../api/lists/list-pages.ts';
import type { WorkerListReader } from '../../api/lists/worker-list-reader.ts';
import { listSessions } from '../../api/sessions/session-queries.ts';
import { LIVE_STATUSES } from '../../api/sessions/sessions-table.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy } from '../../api/shared/domain-context.ts';
import type { DomainError } from '../../api/shared/errors.ts';
import { createTestDbFile } from '../../api/testing/test-db.ts';
import { seedStation } from '../../api/users/users-test-kit.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let auth: { authorization: string };

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: auth });

async function visitor(lastName: string, phone: string): Promise<number> {
  const res = await h.app.inject({ method: 'POST', url: '/api/users', headers: auth, payload: { firstName: 'Jean', lastName, birthDate: '1990-05-14', phone, consentGiven: true } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: number }>().id;
}

beforeAll(async () => {
  h = await createApiHarness({ listWorker: true });
  auth = await h.bearer('marie');
  const ids: number[] = [];
  for (let i = 0; i < 24; i++) ids.push(await visitor(`Nom${String.fromCharCode(97 + i)}`, `0692 40 ${String(i).padStart(2, '0')} 12`));
  for (let i = 0; i < 6; i++) await seedStation(h.db, h.clock.now());
  for (const id of ids.slice(0, 12)) {
    const res = await h.app.inject({ method: 'POST', url: '/api/sessions', headers: auth, payload: { userId: id, durationMinutes: 30 } });
    expect(res.statusCode, res.body).toBe(201);
  }
});

afterAll(async () => {
  await h.close();
});

const LISTS: Array<[string, ListRequest]> = [
  ['/api/users?pageSize=5&page=2', { list: 'users', options: { pageSize: 5, page: 2 } }],
  ['/api/users?search=nom&pageSize=50', { list: 'users', options: { search: 'nom', pageSize: 50 } }],
  ['/api/sessions?pageSize=5&page=2', { list: 'sessions', query: { pageSize: 5, page: 2 } }],
  ['/api/audit?pageSize=10&page=2', { list: 'audit', filter: {}, page: { pageSize: 10, page: 2 } }],
  ['/api/stations?pageSize=4&page=2', { list: 'stations', query: { pageSize: 4, page: 2 } }],
  ['/api/sessions/live', { list: 'sessions', query: { status: [...LIVE_STATUSES], order: 'asc' } }],
];

describe('lists read on the worker thread', () => {
  it('runs on the worker (as /api/health says)', async () => {
    expect(h.app.listReader.mode).toBe('worker');
    expect((await h.app.inject({ method: 'GET', url: '/api/health' })).json()).toMatchObject({ listReads: 'worker' });
  });

  it('writes the six lists byte for byte as the main thread does', async () => {
    for (const [url, request] of LISTS) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body, url).toBe((await listPageBody(h.ctx, request)).toString());
      expect(res.json<{ items: unknown[] }>().items.length, url).toBeGreaterThan(0);
    }
  });

  it('lists what the previous request wrote, and a row committed on the main connection just before', async () => {
    const before = (await get('/api/users?search=tout-neuf')).json<{ total: number }>().total;
    await visitor('Tout-Neuf', '0692 41 00 00');
    expect((await get('/api/users?search=tout-neuf')).json()).toMatchObject({ total: before + 1, items: [{ lastName: 'Tout-Neuf' }] });
    // Committed by the main connection, then at once a list in the worker.
    await h.db.updateTable('stations').set({ name: 'renamed-on-main' }).where('id', '=', (await h.db.selectFrom('stations').select('id').executeTakeFirstOrThrow()).id).execute();
    expect((await get('/api/stations?q=renamed-on-main')).json()).toMatchObject({ total: 1, items: [{ name: 'renamed-on-main' }] });
  });

  it('reads at the main clock’s time and under the policy an admin just changed', async () => {
    const same = async (url: string, request: ListRequest) => expect((await get(url)).body, url).toBe((await listPageBody(h.ctx, request)).toString());
    // Timing and online flags depend on the instant: the worker computes at the main clock's.
    h.clock.advance(2 * 3_600_000);
    auth = await h.bearer('marie');
    await same('/api/sessions/live', LISTS[5]![1]);
    await same('/api/stations?pageSize=4&page=2', LISTS[4]![1]);
    const policy = h.ctx.policy;
    h.ctx.policy = { ...policy, guardianConsentBelowAge: 40 };
    try {
      const users = await get('/api/users?search=nomb&pageSize=1');
      expect(users.json()).toMatchObject({ items: [{ consent: { status: 'guardian_required' } }] });
      await same('/api/users?search=nomb&pageSize=1', { list: 'users', options: { search: 'nomb', pageSize: 1 } });
    } finally {
      h.ctx.policy = policy;
    }
  });

  it('answers a domain error of the worker with the problem the main thread would give', async () => {
    const [from, to] = ['2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z'];
    const expected = (await listSessions(h.ctx, { from: Date.parse(from), to: Date.parse(to) }).catch((e: unknown) => e)) as DomainError;
    const res = await get(`/api/sessions?from=${from}&to=${to}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: expected.code, detail: expected.fr, detailEn: expected.en, errors: expected.fields });
  });

  it('answers 503 STORAGE_FAILURE when the worker’s read fails in SQLite', async () => {
    // Renamed away and back: SQLite renames the triggers' references too.
    await sql`alter table list_versions rename to list_versions_away`.execute(h.db);
    try {
      const res = await get('/api/audit?pageSize=2');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 503, code: 'STORAGE_FAILURE', detail: expect.stringContaining('base de données') });
    } finally {
      await sql`alter table list_versions_away rename to list_versions`.execute(h.db);
    }
    expect((await get('/api/audit?pageSize=2')).statusCode).toBe(200);
  });

  it('answers a request in flight when the worker is killed (its page, or a 503 problem), then reads on a new worker', async () => {
    const reader = h.app.listReader as WorkerListReader;
    const killed = reader.thread!;
    const inFlight = get('/api/audit?pageSize=50');
    await killed.terminate();
    const res = await inFlight;
    expect([200, 503]).toContain(res.statusCode);
    if (res.statusCode === 503) expect(res.json()).toMatchObject({ code: 'LIST_READ_FAILED', detailEn: 'Reading the list was interrupted; try again.' });
    for (let i = 0; i < 400 && reader.mode !== 'worker'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(reader.thread!.threadId).not.toBe(killed.threadId);
    const [url, request] = LISTS[0]!;
    expect((await get(url)).body).toBe((await listPageBody(h.ctx, request)).toString());
  });
});

/** Descriptors of this process open on files under `dir`. */
function descriptorsUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe('the list worker’s life', () => {
  it('starts with the app and ends with app.close(): its thread exits, its connection’s descriptors are closed', async () => {
    const file = await createTestDbFile();
    try {
      const mainOnly = descriptorsUnder(file.dir).sort();
      const ctx = { db: file.db, clock: new FakeClock(), policy: defaultPolicy };
      const app = await buildApp({ ctx, config: resolveConfig({}), version: 'test', tokenKey: Buffer.alloc(32, 1), lists: { databasePath: file.path } });
      const thread = (app.listReader as WorkerListReader).thread!;
      expect(app.listReader.mode).toBe('worker');
      expect(descriptorsUnder(file.dir).length).toBeGreaterThan(mainOnly.length);
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      await app.close();
      await exited;
      // SQLite keeps a closed connection's descriptor of the database file open while another
      // connection of the process holds locks on it (POSIX locks are per process), and closes it
      // with the last one: the worker's WAL and shared-memory descriptors are gone at once.
      expect(descriptorsUnder(file.dir).filter((f) => !f.endsWith('.sqlite')).sort()).toEqual(mainOnly.filter((f) => !f.endsWith('.sqlite')));
      await file.db.destroy();
      expect(descriptorsUnder(file.dir)).toEqual([]);
    } finally {
      await file.cleanup();
    }
  });

  it('stays in the main thread when the database is not in WAL mode, and says why', async () => {
    const file = await createTestDbFile();
    try {
      await sql`pragma journal_mode = delete`.execute(file.db);
      const ctx = { db: file.db, clock: new FakeClock(), policy: defaultPolicy };
      const app = await buildApp({ ctx, config: resolveConfig({}), version: 'test', tokenKey: Buffer.alloc(32, 1), lists: { databasePath: file.path } });
      expect(app.listReader.mode).toMatch(/^in-process \(worker failed: .*not WAL/);
      expect((await app.inject({ method: 'GET', url: '/api/health' })).json()).toMatchObject({ listReads: app.listReader.mode });
      await app.close();
    } finally {
      await file.cleanup();
    }
  });
});
