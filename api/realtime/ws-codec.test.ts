import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../contract/ws-common.ts';
import { SERVER_TO_STATION, STATION_TO_SERVER, type ServerToStation, type StationToServer } from '../contract/ws-station.ts';
import { createDecoder, createEncoder } from './ws-codec.ts';

const decode = createDecoder<StationToServer>(STATION_TO_SERVER, MAX_MESSAGE_BYTES);
const encode = createEncoder<ServerToStation>(SERVER_TO_STATION);
const text = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('websocket codec', () => {
  it('reads a valid message of each direction', () => {
    expect(decode(text({ v: 1, type: 'ack', commandId: 'c-1' }), false)).toEqual({ ok: true, message: { v: 1, type: 'ack', commandId: 'c-1' } });
    const replay = { v: 1, type: 'replay', events: [{ eventId: '0f8fad5b-d9cb-469f', type: 'end_session', sessionId: 3, occurredAt: '2026-03-02T08:00:00.000Z' }] };
    expect(decode([text(replay).subarray(0, 10), text(replay).subarray(10)], false)).toMatchObject({ ok: true });
  });

  it('names what is wrong, echoing type and request id when it can read them', () => {
    const bad = (v: unknown) => {
      const r = decode(text(v), false);
      if (r.ok) throw new Error('accepted');
      return r.problem;
    };
    expect(bad('{')).toMatchObject({ code: 'WS_NOT_JSON', for: null, requestId: null });
    expect(bad('null')).toMatchObject({ code: 'WS_MESSAGE_INVALID' });
    expect(bad({ v: '1', type: 'ack', requestId: 'r' })).toMatchObject({ code: 'WS_VERSION_UNSUPPORTED', for: 'ack', requestId: 'r' });
    expect(bad({ v: 1, type: 42 })).toMatchObject({ code: 'WS_TYPE_UNKNOWN', for: null });
    expect(bad({ v: 1, type: 'replay', events: [{ eventId: 'short', type: 'end_session', sessionId: 0, occurredAt: 'yesterday' }] })).toMatchObject({
      code: 'WS_MESSAGE_INVALID',
      for: 'replay',
      fields: expect.arrayContaining([expect.objectContaining({ field: 'events.0.eventId' }), expect.objectContaining({ field: 'events.0.occurredAt' })]),
    });
    expect(decode(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 32), false)).toMatchObject({ ok: false, problem: { code: 'WS_MESSAGE_TOO_LARGE' } });
    expect(decode(text({ v: 1, type: 'ack', commandId: 'c' }), true)).toMatchObject({ ok: false, problem: { code: 'WS_BINARY_UNSUPPORTED' } });
  });

  it('refuses to send a message its own schema refuses', () => {
    const good: ServerToStation = { v: 1, type: 'warning', sessionId: 1, secondsLeft: 60, endsAt: '2026-03-02T09:00:00.000Z', serverTime: '2026-03-02T08:59:00.000Z' };
    expect(JSON.parse(encode(good))).toEqual(good);
    expect(() => encode({ ...good, endsAt: 'in a minute' })).toThrow('warning');
    expect(() => encode({ ...good, secondsLeft: 0 })).toThrow('/secondsLeft');
  });
});
