import type {} from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { principalForAccessToken, principalForSession, principalForStationToken, type AuthContext } from '../auth/auth-service.ts';
import { authErrors } from '../auth/auth-errors.ts';
import type { Principal } from '../auth/principal.ts';
import { StationTokenCache } from '../auth/station-token-cache.ts';
import { AccessTokenMemo, csrfTokenFor, safeEqual } from '../auth/tokens.ts';
import { enforceAccess } from './access.ts';

export const SESSION_COOKIE = 'epnbox_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The principal of a station token already confirmed (StationTokenCache), found
 * without a promise: the hot station routes (every heartbeat, every poll) end here.
 * Undefined: not a cached station token; resolvePrincipal decides.
 */
function cachedStationPrincipal(request: FastifyRequest, stationTokens: StationTokenCache): Principal | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const token = BEARER.exec(header)?.[1];
  if (token === undefined || !token.startsWith('st_')) return undefined;
  const stationId = stationTokens.lookup(token);
  return stationId === undefined ? undefined : { kind: 'station', stationId };
}

async function resolvePrincipal(ctx: AuthContext, request: FastifyRequest, stationTokens: StationTokenCache, accessTokens: AccessTokenMemo): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match) throw authErrors.unauthenticated();
    const token = match[1]!;
    const p = token.startsWith('st_') ? await principalForStationToken(ctx, token, stationTokens) : await principalForAccessToken(ctx, token, accessTokens);
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

/** The route's access rule and the CSRF check for a request whose principal is known. */
function admit(ctx: AuthContext, request: FastifyRequest): void {
  enforceAccess(request);
  const p = request.principal;
  if (p.kind === 'operator' && p.via === 'cookie' && !SAFE_METHODS.has(request.method)) {
    const given = request.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !safeEqual(given, csrfTokenFor(ctx.auth.tokenKey, p.sessionId))) throw authErrors.csrf();
  }
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
    // Every panel and list request carries the same access token for its lifetime: verify its HMAC once.
    const accessTokens = new AccessTokenMemo(opts.ctx.auth.tokenKey);
    // A callback hook: a cached station token is settled without a promise.
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const cached = cachedStationPrincipal(request, stationTokens);
      if (cached !== undefined) {
        request.principal = cached;
        return settle(() => admit(opts.ctx, request), done);
      }
      resolvePrincipal(opts.ctx, request, stationTokens, accessTokens).then(
        (principal) => {
          request.principal = principal;
          settle(() => admit(opts.ctx, request), done);
        },
        (error: unknown) => {
          // A bad token on a public route is simply anonymous.
          if (request.routeOptions.config?.access !== 'public') return done(error as Error);
          request.principal = { kind: 'anonymous' };
          settle(() => admit(opts.ctx, request), done);
        },
      );
    });
  },
  { name: 'epnbox-auth', dependencies: ['@fastify/cookie'] },
);

function settle(check: () => void, done: HookHandlerDoneFunction): void {
  try {
    check();
  } catch (error) {
    return done(error as Error);
  }
  done();
}
