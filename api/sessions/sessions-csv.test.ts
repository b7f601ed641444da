import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBrokenDb } from '../testing/broken-db.ts';
import { codeFingerprint, normaliseCode } from './access-code.ts';
import { cancelSession, endSession } from './session-lifecycle.ts';
import { insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, type Kit } from './session-test-kit.ts';
import { exportSessionsCsv, SESSIONS_CSV_HEADER } from './sessions-csv.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
beforeEach(async () => {
  kit = await makeKit({ dailyQuota: 20 });
});
afterEach(async () => {
  await kit.db.destroy();
});

async function collect(lines: AsyncGenerator<string>): Promise<string> {
  let text = '';
  for await (const line of lines) text += line;
  return text;
}

const rowsOf = (text: string) => text.replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((l) => l.split(','));

describe('exportSessionsCsv', () => {
  it('writes the connection records of the period, code fingerprint only, and audits the export', async () => {
    const start = kit.clock.now();
    const userId = await insertUser(kit.db);
    const station = await insertStation(kit.db, { name: 'Poste accueil', ip: '10.0.5.9' });
    const used = await issue(kit, userId, { durationMinutes: 30 });
    await startSession(kit.ctx, used.code, station);
    kit.clock.advance(12 * MIN);
    await endSession(kit.ctx, used.id, 'ended_by_visitor', operator);
    const unused = await issue(kit, userId, { durationMinutes: 60 });
    await cancelSession(kit.ctx, unused.id, operator);
    const text = await collect(await exportSessionsCsv(kit.ctx, { from: start, to: start + 3600_000 }, operator));
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).not.toContain(normaliseCode(used.code, 8));
    const iso = (t: number) => new Date(t).toISOString();
    expect(rowsOf(text)).toEqual([
      SESSIONS_CSV_HEADER,
      [String(used.id), codeFingerprint(normaliseCode(used.code, 8)), String(userId), 'Poste accueil', '10.0.5.9', 'ended', 'ended_by_visitor', iso(start), iso(start), iso(start + 12 * MIN), '30', '12'],
      [String(unused.id), codeFingerprint(normaliseCode(unused.code, 8)), String(userId), '', '', 'ended', 'cancelled', iso(start + 12 * MIN), '', iso(start + 12 * MIN), '60', '0'],
    ]);
    expect(await lastAudit(kit.db)).toMatchObject({
      action: 'data.exported',
      actor_type: 'operator',
      meta: { dataset: 'sessions', format: 'csv', from: start, to: start + 3600_000 },
    });
  });

  it('reads in keyset pages without losing or repeating rows that share an instant', async () => {
    const start = kit.clock.now();
    const userId = await insertUser(kit.db);
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await issue(kit, userId)).id);
      if (i % 3 === 2) kit.clock.advance(1);
    }
    kit.clock.advance(1);
    const to = kit.clock.now();
    const outside = await issue(kit, await insertUser(kit.db));
    const text = await collect(await exportSessionsCsv(kit.ctx, { from: start, to }, operator, { pageSize: 2 }));
    const exported = rowsOf(text).slice(1).map((r) => Number(r[0]));
    expect(exported).toEqual(ids);
    expect(exported).not.toContain(outside.id);
  });

  it('counts the time used so far for a running session', async () => {
    const start = kit.clock.now();
    const s = await issue(kit, await insertUser(kit.db), { durationMinutes: 20 });
    await startSession(kit.ctx, s.code, await insertStation(kit.db));
    kit.clock.advance(90_000);
    const [, row] = rowsOf(await collect(await exportSessionsCsv(kit.ctx, { from: start, to: start + 1 }, operator)));
    expect(row!.slice(5)).toEqual(['active', '', new Date(start).toISOString(), new Date(start).toISOString(), '', '20', '1.5']);
  });

  it('refuses a reversed period and fails before the first line when storage is down', async () => {
    await expect(exportSessionsCsv(kit.ctx, { from: 10, to: 10 }, operator)).rejects.toMatchObject({ code: 'PERIOD_INVALID', fields: [{ field: 'to' }] });
    await expect(exportSessionsCsv({ ...kit.ctx, db: createBrokenDb() }, { from: 0, to: 10 }, operator)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
