import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Db } from '../../api/db/schema.ts';

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  time: Type.String({ format: 'date-time' }),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  netboot: Type.Union([Type.Literal('off'), Type.Literal('on')]),
});

export interface HealthOptions {
  db: Db;
  version: string;
  now: () => number;
  netbootEnabled: boolean;
}

/** Liveness for admins and monitoring: answers 503 when the database does not. */
export const healthRoute: FastifyPluginAsyncTypebox<HealthOptions> = async (app, opts) => {
  app.get(
    '/api/health',
    { config: { access: 'public' }, schema: { tags: ['system'], summary: 'Liveness and database check', response: { 200: HealthResponse, 503: HealthResponse } } },
    async (request, reply) => {
      let database: 'ok' | 'unavailable' = 'ok';
      try {
        await sql`select 1`.execute(opts.db);
      } catch (error) {
        request.log.error({ err: error }, 'health: database check failed');
        database = 'unavailable';
      }
      const body = {
        status: database === 'ok' ? ('ok' as const) : ('degraded' as const),
        version: opts.version,
        time: new Date(opts.now()).toISOString(),
        database,
        netboot: opts.netbootEnabled ? ('on' as const) : ('off' as const),
      };
      return reply.code(database === 'ok' ? 200 : 503).send(body);
    },
  );
};
