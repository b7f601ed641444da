import type {} from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalForAccessToken, principalForSession, principalForStationToken, type AuthContext } from '../auth/auth-service.ts';
import { authErrors } from '../auth/auth-errors.ts';
import type { Principal } from '../auth/principal.ts';
import { StationTokenCache } from '../auth/station-token-cache.ts';
import { csrfTokenFor, safeEqual } from '../auth/tokens.ts';
import { enforceAccess } from './access.ts';

export const SESSION_COOKIE = 'epnbox_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolvePrincipal(ctx: AuthContext, request: FastifyRequest, stationTokens: StationTokenCache): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw authErrors.unauthenticated();
    const token = match[1]!;
    const p = token.startsWith('st_') ? await principalForStationToken(ctx, token, stationTokens) : await principalForAccessToken(ctx, token);
    if (!p) throw authErrors.unauthenticated();
    return p;
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) {
    const p = await principalForSession(ctx, cookie, 'cookie');
    if (p) return p;
  }
  return { kind: 'anonymous' };
}

/**
 * Resolves who is calling (bearer access token, station token, or the panel's
 * cookie), then applies the route's access rule. Cookie requests that change
 * state must echo the CSRF token: SameSite=Strict already blocks cross-site
 * sends, the header is the second lock.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { ctx: AuthContext }) => {
    app.decorateRequest('principal');
    // Station routes are the hot path (every station beats every few seconds): remember valid station tokens.
    const stationTokens = new StationTokenCache(opts.ctx.db, opts.ctx.clock);
    app.addHook('onClose', async () => stationTokens.close());
    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config?.access;
      try {
        request.principal = await resolvePrincipal(opts.ctx, request, stationTokens);
      } catch (error) {
        // A bad token on a public route is simply anonymous.
        if (access !== 'public') throw error;
        request.principal = { kind: 'anonymous' };
      }
      enforceAccess(request);
      const p = request.principal;
      if (p.kind === 'operator' && p.via === 'cookie' && !SAFE_METHODS.has(request.method)) {
        const given = request.headers[CSRF_HEADER];
        if (typeof given !== 'string' || !safeEqual(given, csrfTokenFor(opts.ctx.auth.tokenKey, p.sessionId))) throw authErrors.csrf();
      }
    });
  },
  { name: 'epnbox-auth', dependencies: ['@fastify/cookie'] },
);
