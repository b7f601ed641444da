import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../api/db/schema.ts';
import { createBrokenDb } from '../../api/testing/broken-db.ts';
import { createTestDb } from '../../api/testing/test-db.ts';
import { NetbootHealth } from '../netboot/netboot-health.ts';
import { healthRoute } from './health-route.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function health(netboot: NetbootHealth, db?: Kysely<Database>) {
  const database = db ?? (await createTestDb());
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(healthRoute, { db: database, version: 't', now: () => 0, netboot: () => netboot.view });
  closers.push(() => app.close(), () => database.destroy());
  return async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    return { code: res.statusCode, body: res.json<Record<string, unknown>>() };
  };
}

describe('GET /api/health netboot', () => {
  it('says off when netboot is disabled', async () => {
    const get = await health(new NetbootHealth(false));
    expect(await get()).toEqual({ code: 200, body: { status: 'ok', version: 't', time: '1970-01-01T00:00:00.000Z', database: 'ok', netboot: 'off' } });
  });

  it('follows what actually happened: starting, on with what was bound, stopped', async () => {
    const state = new NetbootHealth(true);
    const get = await health(state);
    expect((await get()).body).toMatchObject({ status: 'ok', netboot: 'starting' });
    state.started({ interface: 'br0', serverIp: '10.0.0.1', dhcp: 'full', tftp: { address: '10.0.0.1', port: 69, root: '/x', source: '/y', files: [] }, httpBaseUrl: 'http://10.0.0.1:8080' });
    expect((await get()).body).toMatchObject({ status: 'ok', netboot: 'on', netbootDetail: { dhcp: 'full', tftp: '10.0.0.1:69', httpBootUrl: 'http://10.0.0.1:8080', httpBodies: 'sendfile', tftpTransfers: 'datagram' } });
    state.stopped();
    expect((await get()).body).toMatchObject({ netboot: 'stopped' });
  });

  it('reports a failure with its reason as degraded (200: the panel and database still answer)', async () => {
    const state = new NetbootHealth(true);
    state.failed(new Error('netboot: interface "nosuchif0" does not exist'));
    const get = await health(state);
    expect(await get()).toMatchObject({ code: 200, body: { status: 'degraded', database: 'ok', netboot: 'failed', netbootDetail: { reason: 'netboot: interface "nosuchif0" does not exist' } } });
  });

  it('still answers 503 when the database does not, with the netboot state', async () => {
    const state = new NetbootHealth(true);
    const get = await health(state, createBrokenDb());
    expect(await get()).toMatchObject({ code: 503, body: { status: 'degraded', database: 'unavailable', netboot: 'starting' } });
  });
});
