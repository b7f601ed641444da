import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRealtimeHarness, type RealtimeHarness } from './realtime-harness.ts';

/*
 * Idle connections are closed by the connection timeout (one timer per connection,
 * refreshed by its traffic), not by Node's per-response keep-alive timer, which
 * build-app.ts turns off (it allocated a timer per request: docs/performance.md).
 */

const IDLE_MS = 300;
let h: RealtimeHarness;
afterEach(async () => h?.close());

/** One HTTP/1.1 GET on an open socket; resolves with the response head once the whole body is in. */
function get(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (headEnd >= 0 && length !== undefined && text.length >= headEnd + 4 + Number(length)) {
        socket.off('data', onData);
        resolve(text.slice(0, headEnd));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: box\r\nConnection: keep-alive\r\n\r\n`);
  });
}

function closedAfter(socket: Socket): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started)));
}

describe('idle connections', () => {
  it('a keep-alive connection serves several requests, then closes once silent for the idle time', async () => {
    h = await createRealtimeHarness({ idleConnectionMs: IDLE_MS });
    expect(h.app.server.keepAliveTimeout).toBe(0);
    const { port } = h.app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = closedAfter(socket);
    for (let i = 0; i < 3; i++) {
      expect(await get(socket, '/api/health')).toMatch(/^HTTP\/1\.1 200/);
      // Traffic more often than the idle time keeps the connection open.
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS / 2));
    }
    const silentFor = await closed;
    expect(silentFor).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(silentFor).toBeLessThan(IDLE_MS * 20);
  });

  it('a station WebSocket is not closed by it', async () => {
    h = await createRealtimeHarness({ idleConnectionMs: IDLE_MS });
    const station = await h.station();
    const client = await h.connectStation(station.token);
    let closed = false;
    void client.closed.then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 4));
    expect(closed).toBe(false);
    client.close();
  });
});
