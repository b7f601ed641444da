import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { operatorActor, systemActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { insertRunningSession } from '../../api/stations/station-fixtures.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { createTestDb } from '../../api/testing/test-db.ts';
import { MemoryPhotoStore } from '../../api/users/memory-photo-store.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';

// Routine station calls (heartbeat, countdown poll) write no access lines at
// the default info level; failures are still logged; debug shows them all.
interface Line {
  level: number;
  msg: string;
  req?: { url?: string };
  res?: { statusCode?: number };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function appAt(level: 'info' | 'debug' | 'warn') {
  const db = await createTestDb();
  const clock = new FakeClock();
  const ctx: DomainContext = { db, clock, policy: defaultPolicy };
  await createOperator(ctx, systemActor, { username: 'admin', displayName: 'Admin', role: 'admin', password: 'admin password long enough', mustChangePassword: false });
  const lines: Line[] = [];
  const stream = { write: (s: string) => void lines.push(JSON.parse(s) as Line) };
  const app = await buildApp({ ctx, config: resolveConfig({}), version: 'test', tokenKey: Buffer.alloc(32, 1), photos: new MemoryPhotoStore(clock), logger: { level, stream } });
  close = async () => {
    await app.close().catch(() => undefined);
    await db.destroy();
  };
  const stationId = (await createStation(ctx, operatorActor(1), { name: 'Poste 1', mac: '52:54:00:00:00:01', ip: '10.0.0.1' })).id;
  const other = (await createStation(ctx, operatorActor(1), { name: 'Poste 2', mac: '52:54:00:00:00:02', ip: '10.0.0.2' })).id;
  const token = await issueStationToken(ctx, stationId);
  const sessionId = await insertRunningSession(db, stationId, clock.now());
  const authorization = `Bearer ${token}`;
  const beat = (payload: object = {}) => app.inject({ method: 'POST', url: `/api/stations/${stationId}/heartbeat`, headers: { authorization }, payload });
  const poll = () => app.inject({ method: 'GET', url: `/api/sessions/${sessionId}/time-remaining`, headers: { authorization } });
  return { app, db, lines, beat, poll, other };
}

const accessLines = (lines: Line[]) => lines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');

describe('routine station calls in the log', () => {
  it('write no access line at info, while other routes do', async () => {
    const { app, lines, beat, poll } = await appAt('info');
    expect((await beat()).statusCode).toBe(200);
    expect((await poll()).statusCode).toBe(200);
    expect(accessLines(lines)).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    expect(accessLines(lines).map((l) => [l.msg, l.req?.url ?? l.res?.statusCode])).toEqual([['incoming request', '/api/health'], ['request completed', 200]]);
  });

  it('still log what goes wrong: an address held by another station (warn), a storage failure (error)', async () => {
    const { db, lines, beat } = await appAt('info');
    expect((await beat({ ip: '10.0.0.2' })).statusCode).toBe(200);
    expect(lines.some((l) => l.level === 40 && l.msg.includes('IP address held by another station'))).toBe(true);
    await sql`alter table stations rename to stations_gone`.execute(db);
    expect((await beat()).statusCode).toBe(503);
    expect(lines.some((l) => l.level === 50)).toBe(true);
    await sql`alter table stations_gone rename to stations`.execute(db);
  });

  it('are all logged at debug, for an admin troubleshooting', async () => {
    const { lines, beat, poll } = await appAt('debug');
    expect((await beat()).statusCode).toBe(200);
    expect((await poll()).statusCode).toBe(200);
    expect(accessLines(lines)).toHaveLength(4);
    expect(lines.some((l) => l.msg === 'heartbeat')).toBe(true);
  });
});
