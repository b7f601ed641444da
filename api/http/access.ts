import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { authErrors } from '../auth/auth-errors.ts';

/**
 * Who may call a route. Every route must declare one (a route without it makes
 * the app refuse to build), and the authorization matrix test checks each.
 * - public: anyone.
 * - login: any logged-in operator, even one who must still change a one-time password.
 * - operator: operators and admins with a usable password.
 * - admin: admins only.
 * - station: a station acting on itself (see selfParam).
 * - station_or_operator: either of the above.
 */
export type Access = 'public' | 'login' | 'operator' | 'admin' | 'station' | 'station_or_operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Route param holding a station id a station principal must match. */
    selfParam?: string;
  }
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    /** Every route with its access rule, in registration order. */
    declaredRoutes: DeclaredRoute[];
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
  selfParam?: string;
}

/**
 * Fails the build of a route that does not say who may call it, and keeps the
 * list of declared routes (the authorization matrix test walks it).
 */
export function requireAccessDeclarations(app: FastifyInstance): DeclaredRoute[] {
  const declared: DeclaredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { access?: Access; selfParam?: string };
    // The OpenAPI document and UI (@fastify/swagger-ui) and CORS preflight (@fastify/cors) are public.
    const byPlugin = route.url.startsWith('/api/docs') || route.method === 'OPTIONS';
    if (config.access === undefined && byPlugin) route.config = { ...config, access: 'public' };
    else if (config.access === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no access rule`);
    const access = (route.config as { access: Access }).access;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue; // Fastify's automatic twin of each GET
      declared.push({ method, url: route.url, access, ...(config.selfParam ? { selfParam: config.selfParam } : {}) });
    }
  });
  return declared;
}

function stationAllowed(request: FastifyRequest, principal: Extract<Principal, { kind: 'station' }>): boolean {
  const param = request.routeOptions.config.selfParam;
  if (param === undefined) return true;
  const value = (request.params as Record<string, unknown>)[param];
  return Number(value) === principal.stationId;
}

/** Throws the domain error matching a refusal; returns when allowed. */
export function enforceAccess(request: FastifyRequest): void {
  // Unknown routes answer 404 to everyone; declared routes must name a rule.
  if (request.is404) return;
  const access = request.routeOptions.config.access ?? 'admin';
  const p = request.principal;
  if (access === 'public') return;
  if (p.kind === 'anonymous') throw authErrors.unauthenticated();
  if (p.kind === 'station') {
    if ((access === 'station' || access === 'station_or_operator') && stationAllowed(request, p)) return;
    throw authErrors.forbidden();
  }
  if (access === 'station') throw authErrors.forbidden();
  if (access === 'login') return;
  if (p.mustChangePassword) throw authErrors.passwordChangeRequired();
  if (access === 'admin' && p.role !== 'admin') throw authErrors.forbidden();
}
