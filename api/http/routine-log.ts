import type { FastifyInstance } from 'fastify';

/**
 * The log level of the routine station calls (the heartbeat every 10 s, the
 * countdown poll): 1,000 stations make 100+ of them a second, and at the
 * default `info` level each wrote two access lines ("incoming request",
 * "request completed") that flooded the journal and cost CPU on every beat.
 * They log at `warn` instead: failures (5xx, a station claiming another's
 * address) are still written, and what changes state is in the audit trail.
 * At `debug`/`trace` (an admin troubleshooting) and at levels already at
 * `warn` or above, undefined: the route inherits the app's level (setting a
 * level equal to the app's would only make the logger redo work per request).
 */
export function routineLogLevel(app: FastifyInstance): 'warn' | undefined {
  return app.log.level === 'info' ? 'warn' : undefined;
}
