import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AttemptLimiter } from '../../auth/attempt-limiter.ts';
import { EnrollBody, EnrollResponse, enrolledToWire } from '../../contract/enrollment.ts';
import { Problem } from '../../contract/problem.ts';
import { enrollStation } from '../../enrollment/enroll-station.ts';
import { enrollmentThrottled } from '../../enrollment/enrollment-errors.ts';
import type { DomainContext } from '../../shared/domain-context.ts';
import { DomainError } from '../../shared/errors.ts';

/**
 * Station enrollment after a network boot. Public: the nonce is the
 * credential. Refused attempts count per source address; past the limit the
 * address is locked out for a while (429) and nothing more is written.
 */
export const enrollRoutes: FastifyPluginAsyncTypebox<{ ctx: DomainContext; limiter?: AttemptLimiter }> = async (app, opts) => {
  const { ctx } = opts;
  // A station enrolls once per boot: ten refusals a minute from one address is no station.
  const limiter = opts.limiter ?? new AttemptLimiter(ctx.clock, { maxFailures: 10, windowMs: 60_000, baseLockoutMs: 60_000, maxLockoutMs: 15 * 60_000 });
  app.post('/api/stations/enroll', {
    config: { access: 'public' },
    schema: {
      tags: ['stations'],
      summary: 'The agent trades the one-time enrollment nonce of its kernel command line for the station token (new in epnbox)',
      security: [],
      body: EnrollBody,
      response: { 200: EnrollResponse, 400: Problem, 401: Problem, 429: Problem, 503: Problem },
    },
  }, async (request, reply) => {
    const key = `enroll:${request.ip}`;
    const verdict = limiter.check(key);
    if (!verdict.allowed) throw enrollmentThrottled(verdict.retryAfterMs);
    try {
      const enrolled = await enrollStation(ctx, { nonce: request.body.nonce, mac: request.body.mac, ip: request.ip });
      limiter.succeed(key);
      request.log.info({ stationId: enrolled.stationId, ip: request.ip, revokedPrevious: enrolled.revokedPrevious }, 'station enrolled');
      // A credential in the body must not linger in any cache (RFC 9111 §5.2.2.5).
      return reply.header('cache-control', 'no-store').send(enrolledToWire(enrolled, ctx.clock.now()));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ENROLLMENT_REFUSED') {
        limiter.fail(key);
        request.log.warn({ ip: request.ip }, 'station enrollment refused (reason in the audit trail)');
      }
      throw error;
    }
  });
};
