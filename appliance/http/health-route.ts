import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Db } from '../../api/db/schema.ts';
import type { NetbootHealthView } from '../netboot/netboot-health.ts';
import { describeBodyPath } from '../netboot/http-boot/zero-copy.ts';
import { describeTransferPath } from '../netboot/tftp/peer-socket.ts';

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  time: Type.String({ format: 'date-time' }),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  netboot: Type.Union([Type.Literal('off'), Type.Literal('starting'), Type.Literal('on'), Type.Literal('failed'), Type.Literal('stopped')], {
    description: 'What DHCP/TFTP/HTTP boot actually did: off (disabled), starting, on (all started), failed (see netbootDetail.reason), stopped.',
  }),
  netbootDetail: Type.Optional(
    Type.Object({
      dhcp: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('proxy'), Type.Literal('full')])),
      tftp: Type.Optional(Type.String({ description: 'address:port bound' })),
      httpBootUrl: Type.Optional(Type.String()),
      httpBodies: Type.Optional(Type.String({ description: 'How boot artifacts leave: "sendfile" (zero-copy addon), or "buffers (<why the addon is not loaded>)".' })),
      tftpTransfers: Type.Optional(
        Type.String({ description: 'How TFTP transfer datagrams move: "datagram" (native connected socket), or "dgram (<why the addon is not loaded>)".' }),
      ),
      reason: Type.Optional(Type.String()),
    }),
  ),
  listReads: Type.Optional(
    Type.String({
      description: 'Where list pages are read: "worker" (a worker thread with its own read-only SQLite connection), or "in-process" (the main thread), with why when a worker was wanted.',
    }),
  ),
});

export interface HealthOptions {
  db: Db;
  version: string;
  now: () => number;
  /** The netboot state as lived (NetbootHealth.view), read at each request. */
  netboot: () => NetbootHealthView;
  /** Where list pages are read (ListReader.mode); absent: not reported. */
  lists?: () => string;
}

function netbootFields(view: NetbootHealthView): Pick<Static<typeof HealthResponse>, 'netboot' | 'netbootDetail'> {
  switch (view.state) {
    case 'started':
      return { netboot: 'on', netbootDetail: { dhcp: view.dhcp, tftp: view.tftp, httpBootUrl: view.httpBootUrl, httpBodies: describeBodyPath(), tftpTransfers: describeTransferPath() } };
    case 'failed':
      return { netboot: 'failed', netbootDetail: { reason: view.reason } };
    default:
      return { netboot: view.state };
  }
}

/** Liveness for admins and monitoring: answers 503 when the database does not. */
export const healthRoute: FastifyPluginAsyncTypebox<HealthOptions> = async (app, opts) => {
  app.get(
    '/api/health',
    { config: { access: 'public' }, schema: { tags: ['system'], summary: 'Liveness, database check and the netboot state', response: { 200: HealthResponse, 503: HealthResponse } } },
    async (request, reply) => {
      let database: 'ok' | 'unavailable' = 'ok';
      try {
        await sql`select 1`.execute(opts.db);
      } catch (error) {
        request.log.error({ err: error }, 'health: database check failed');
        database = 'unavailable';
      }
      const body: Static<typeof HealthResponse> = {
        status: database === 'ok' ? 'ok' : 'degraded',
        version: opts.version,
        time: new Date(opts.now()).toISOString(),
        database,
        ...netbootFields(opts.netboot()),
        ...(opts.lists && { listReads: opts.lists() }),
      };
      if (body.netboot === 'failed') body.status = 'degraded';
      return reply.code(database === 'ok' ? 200 : 503).send(body);
    },
  );
};
