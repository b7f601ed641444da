import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { OPERATOR_WS_PATH } from '../contract/ws-operator.ts';
import { STATION_WS_PATH } from '../contract/ws-station.ts';
import { operatorOf } from '../http/principal-helpers.ts';
import type { Realtime } from './realtime.ts';
import { bearerFromSubprotocol, bearerTokenOf, chooseSubprotocol, requireSameOrigin } from './ws-auth.ts';

/**
 * Hard cap of one frame, enforced by `ws` (it closes with 1009). Below it,
 * messages over MAX_MESSAGE_BYTES get an `error` reply and the connection
 * stays; above it the peer is not a kiosk agent having a bad day.
 */
const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * WebSocket support at the root of the app: @fastify/websocket, the
 * subprotocol credential hook (it must run before the auth plugin, so
 * register this first), and the shutdown order: connections close with 1001
 * before the server stops, and pending realtime work finishes before the
 * database is closed.
 */
export const websocketSupport = fp(
  async (app: FastifyInstance, opts: { realtime: Realtime }) => {
    // A callback hook: it runs on every request of the app and needs no promise.
    app.addHook('onRequest', (request, _reply, done) => {
      bearerFromSubprotocol(request);
      done();
    });
    app.addHook('preClose', async () => opts.realtime.stop());
    app.addHook('onClose', async () => opts.realtime.settled());
    await app.register(websocket, {
      options: { maxPayload: MAX_FRAME_BYTES, handleProtocols: (offered) => chooseSubprotocol(offered) },
    });
  },
  { name: 'epnbox-websocket' },
);

/**
 * The two channels. The access rule is checked on the upgrade request by the
 * auth plugin like any route: a refused handshake gets a 401/403 problem and
 * no WebSocket.
 */
export async function realtimeRoutes(app: FastifyInstance, opts: { realtime: Realtime }): Promise<void> {
  const { realtime } = opts;
  app.get(STATION_WS_PATH, { websocket: true, config: { access: 'station' }, schema: { summary: 'Station channel (seed: ws/sessions/ and ws/sessions/{id}/)' } }, (socket, request) => {
    const p = request.principal;
    if (p.kind !== 'station') return socket.close(1008, 'station only');
    realtime.openStation(socket, p.stationId, bearerTokenOf(request));
  });

  app.get(OPERATOR_WS_PATH, { websocket: true, config: { access: 'operator' }, preValidation: async (request) => requireSameOrigin(request), schema: { summary: 'Operator channel: snapshot, then live deltas' } }, (socket, request) => {
    realtime.openOperator(socket, operatorOf(request));
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The realtime layer; the appliance calls `realtime.start()` once migrations ran. */
    realtime: Realtime;
  }
}
