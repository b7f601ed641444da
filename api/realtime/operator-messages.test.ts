import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_TO_OPERATOR, type ServerToOperator } from '../contract/ws-operator.ts';
import { resumeSession, suspendSession } from '../sessions/session-lifecycle.ts';
import { insertStation, insertUser, issue, makeKit, operator, type Kit } from '../sessions/session-test-kit.ts';
import { startSession } from '../sessions/sessions-service.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { loadSnapshot } from './operator-messages.ts';
import { createEncoder } from './ws-codec.ts';

const encode = createEncoder<ServerToOperator>(SERVER_TO_OPERATOR);
let kit: Kit;
beforeEach(async () => {
  kit = await makeKit();
});
afterEach(async () => {
  await kit.db.destroy();
});

describe('operator snapshot', () => {
  it('lists running sessions and counts unused codes instead of listing them', async () => {
    const stations = [await insertStation(kit.db), await insertStation(kit.db)];
    const active = await issue(kit, await insertUser(kit.db));
    await startSession(kit.ctx, active.code, stations[0]!);
    const suspended = await issue(kit, await insertUser(kit.db));
    await startSession(kit.ctx, suspended.code, stations[1]!);
    await suspendSession(kit.ctx, suspended.id, operator);
    const unused = await issue(kit, await insertUser(kit.db));
    for (let i = 0; i < 5; i += 1) await issue(kit, await insertUser(kit.db));

    const snapshot = await loadSnapshot(kit.ctx, [stations[0]!]);
    expect(snapshot.sessions.map((s) => [s.id, s.status])).toEqual([
      [active.id, 'active'],
      [suspended.id, 'suspended'],
    ]);
    expect(snapshot.pendingCodes).toBe(6);
    expect(snapshot.sessions.map((s) => s.id)).not.toContain(unused.id);
    expect(snapshot.stations).toHaveLength(2);
    // What leaves the box matches the contract.
    expect(JSON.parse(encode(snapshot))).toMatchObject({ type: 'snapshot', pendingCodes: 6 });

    await resumeSession(kit.ctx, suspended.id, operator);
    expect((await loadSnapshot(kit.ctx, [])).sessions.map((s) => s.status)).toEqual(['active', 'active']);
  });

  it('counts zero on an empty room', async () => {
    const snapshot = await loadSnapshot(kit.ctx, []);
    expect(snapshot).toMatchObject({ sessions: [], pendingCodes: 0, stations: [], connectedStationIds: [], lastEventId: null });
  });

  it('fails as a storage failure when the database does not answer', async () => {
    const broken = { ...kit.ctx, db: createBrokenDb() };
    await expect(loadSnapshot(broken, [])).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
