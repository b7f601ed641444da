import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptLimiter } from '../auth/attempt-limiter.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { createCodeLimiter, startTypedCode, validateCodeFor } from './code-attempts.ts';
import { auditActions, insertStation, insertUser, issue, makeKit, OPERATOR_ID, type Kit } from './session-test-kit.ts';

let kit: Kit;
let limiter: AttemptLimiter;
let station: number;
let userId: number;
beforeEach(async () => {
  kit = await makeKit();
  limiter = createCodeLimiter(kit.clock);
  station = await insertStation(kit.db);
  userId = await insertUser(kit.db);
});
afterEach(async () => {
  await kit.db.destroy();
});

const asStation = (id: number) => ({ kind: 'station' as const, stationId: id });
const wrong = (id = station) => validateCodeFor(kit.ctx, limiter, asStation(id), { code: 'ZZZZ-ZZZZ' });
const lockouts = async () => (await kit.db.selectFrom('audit_events').selectAll().where('action', '=', 'station.locked_out').execute()).map((r) => JSON.parse(r.metadata));

describe('per-station limit on typed codes', () => {
  it('locks a station out after 5 wrong codes in a minute, with one audit event', async () => {
    for (let i = 0; i < 5; i++) await expect(wrong()).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    const good = await issue(kit, userId);
    await expect(validateCodeFor(kit.ctx, limiter, asStation(station), { code: good.code })).rejects.toMatchObject({
      code: 'STATION_LOCKED_OUT',
      category: 'throttled',
      details: { stationId: station, retryAfterSeconds: 30 },
    });
    await expect(startTypedCode(kit.ctx, limiter, station, good.code)).rejects.toMatchObject({ code: 'STATION_LOCKED_OUT' });
    expect(await lockouts()).toEqual([{ stationId: station, lockedOutSeconds: 30 }]);
    // The other stations are not concerned.
    const other = await insertStation(kit.db);
    await expect(validateCodeFor(kit.ctx, limiter, asStation(other), { code: good.code })).resolves.toMatchObject({ id: good.id });
  });

  it('lets the station try again after the delay, and doubles the next lockout', async () => {
    for (let i = 0; i < 5; i++) await expect(wrong()).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    kit.clock.advance(30_000);
    for (let i = 0; i < 5; i++) await expect(wrong()).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    await expect(wrong()).rejects.toMatchObject({ details: { retryAfterSeconds: 60 } });
    expect((await lockouts()).map((m) => m.lockedOutSeconds)).toEqual([30, 60]);
  });

  it('counts neither malformed entries nor spread-out mistakes, and a good code clears the count', async () => {
    for (let i = 0; i < 6; i++) {
      await expect(validateCodeFor(kit.ctx, limiter, asStation(station), { code: 'ABC' })).rejects.toMatchObject({ code: 'CODE_MALFORMED' });
    }
    for (let i = 0; i < 4; i++) await expect(wrong()).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    kit.clock.advance(61_000);
    for (let i = 0; i < 4; i++) await expect(wrong()).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    const good = await issue(kit, userId);
    await startTypedCode(kit.ctx, limiter, station, good.code);
    const next = await insertStation(kit.db);
    for (let i = 0; i < 4; i++) await expect(wrong(next)).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    expect(await lockouts()).toEqual([]);
  });

  it('lets an operator check for a named station without limit, and a station only for itself', async () => {
    const op = { kind: 'operator' as const, operatorId: OPERATOR_ID };
    for (let i = 0; i < 7; i++) {
      await expect(validateCodeFor(kit.ctx, limiter, op, { code: 'ZZZZ-ZZZZ', stationId: station })).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    }
    expect(await lockouts()).toEqual([]);
    const good = await issue(kit, userId);
    await expect(validateCodeFor(kit.ctx, limiter, op, { code: good.code, stationId: station })).resolves.toMatchObject({ id: good.id });
    await expect(validateCodeFor(kit.ctx, limiter, op, { code: good.code })).rejects.toMatchObject({ code: 'STATION_REQUIRED', fields: [{ field: 'stationId' }] });
    const other = await insertStation(kit.db);
    await expect(validateCodeFor(kit.ctx, limiter, asStation(station), { code: good.code, stationId: other })).rejects.toMatchObject({
      code: 'STATION_MISMATCH',
      category: 'forbidden',
    });
    await expect(validateCodeFor(kit.ctx, limiter, asStation(station), { code: good.code, stationId: station })).resolves.toMatchObject({ id: good.id });
  });

  it('still locks the station out when the lockout event cannot be written', async () => {
    for (let i = 0; i < 4; i++) await expect(wrong()).rejects.toMatchObject({ code: 'CODE_REJECTED' });
    const before = await auditActions(kit.db);
    // The rejection's own event goes through; the lockout event after it fails.
    let auditInserts = 0;
    const broken = { ...kit.ctx, db: failingWhen(kit.db, (node) => insertInto('audit_events')(node) && ++auditInserts === 2) };
    await expect(validateCodeFor(broken, limiter, asStation(station), { code: 'ZZZZ-ZZZZ' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await auditActions(kit.db)).toEqual([...before, 'session.code_rejected']);
    await expect(wrong()).rejects.toMatchObject({ code: 'STATION_LOCKED_OUT' });
  });
});
