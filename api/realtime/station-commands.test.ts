import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerToStation } from '../contract/ws-station.ts';
import { startSession } from '../sessions/sessions-service.ts';
import { auditActions, insertStation, insertUser, issue, makeKit, operator, type Kit } from '../sessions/session-test-kit.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { lockStation, requestReboot, sendStationMessage, type CommandSender } from './station-commands.ts';

let kit: Kit;
let sent: Array<{ stationId: number; message: ServerToStation }>;
let connected: Set<number>;
const sender: CommandSender = {
  isConnected: (id) => connected.has(id),
  sendCommand: (stationId, message) => {
    if (!connected.has(stationId)) return false;
    sent.push({ stationId, message });
    return true;
  },
};

beforeEach(async () => {
  kit = await makeKit();
  sent = [];
  connected = new Set();
});
afterEach(async () => {
  await kit.db.destroy();
});

describe('station commands', () => {
  it('audits, then sends, a message; refuses one for a station with no connection', async () => {
    const id = await insertStation(kit.db);
    await expect(sendStationMessage(kit.ctx, sender, operator, id, 'Bonjour')).rejects.toMatchObject({ code: 'STATION_NOT_CONNECTED', category: 'conflict' });
    connected.add(id);
    const receipt = await sendStationMessage(kit.ctx, sender, operator, id, 'Fermeture à 18 h\nMerci');
    expect(sent).toEqual([{ stationId: id, message: { v: 1, type: 'message', commandId: receipt.commandId, text: 'Fermeture à 18 h\nMerci', serverTime: new Date(kit.clock.now()).toISOString() } }]);
    expect(await auditActions(kit.db)).toEqual(['station.message_sent']);
  });

  it('refuses text with control characters and an unknown station', async () => {
    const id = await insertStation(kit.db);
    connected.add(id);
    await expect(sendStationMessage(kit.ctx, sender, operator, id, 'bip\u0007')).rejects.toMatchObject({ code: 'STATION_MESSAGE_INVALID', fields: [{ field: 'text' }] });
    await expect(lockStation(kit.ctx, sender, operator, 999)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    expect(sent).toEqual([]);
  });

  it('sends nothing when the audit event cannot be written', async () => {
    const id = await insertStation(kit.db);
    connected.add(id);
    const broken = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_events')) };
    await expect(requestReboot(broken, sender, operator, id)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(sent).toEqual([]);
    expect(await auditActions(kit.db)).toEqual([]);
  });

  it('suspends an active session before locking, and refuses a reboot while one runs', async () => {
    const id = await insertStation(kit.db);
    connected.add(id);
    const s = await issue(kit, await insertUser(kit.db));
    await startSession(kit.ctx, s.code, id);
    await expect(requestReboot(kit.ctx, sender, operator, id)).rejects.toMatchObject({ code: 'STATION_SESSION_RUNNING', details: { sessionId: s.id } });
    const receipt = await lockStation(kit.ctx, sender, operator, id);
    expect(receipt).toMatchObject({ command: 'lock', suspendedSessionId: s.id });
    expect(sent.map((x) => x.message.type)).toEqual(['lock_now']);
    expect((await auditActions(kit.db)).slice(-2)).toEqual(['session.suspended', 'station.lock_requested']);
    expect((await lockStation(kit.ctx, sender, operator, id)).suspendedSessionId).toBeNull();
  });
});
