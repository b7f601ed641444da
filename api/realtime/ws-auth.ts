import type { FastifyRequest } from 'fastify';
import { authErrors } from '../auth/auth-errors.ts';
import { BEARER_SUBPROTOCOL_PREFIX, WS_SUBPROTOCOL } from '../contract/ws-common.ts';

/**
 * Where a WebSocket client may put its credential, and why:
 *
 * - `Authorization: Bearer …` on the upgrade request: preferred; the kiosk
 *   agent (Node) and any non-browser client can set it.
 * - `Sec-WebSocket-Protocol: epnbox.v1, bearer.<token>`: for clients that
 *   cannot set headers (a browser's `new WebSocket(url, protocols)`). The
 *   server answers `epnbox.v1` only, so the token is never echoed back.
 *   Proxies do not usually log this header.
 * - Not in the query string: URLs end up in access logs, proxy logs and
 *   browser history, and a station token lives for months.
 *
 * This hook runs before the auth plugin and turns the subprotocol form into
 * the header form, so one authentication path serves both.
 */
export function bearerFromSubprotocol(request: FastifyRequest): void {
  if (request.headers.authorization !== undefined) return;
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return;
  const offered = request.headers['sec-websocket-protocol'];
  if (typeof offered !== 'string') return;
  const token = offered
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX))
    ?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  if (token) request.headers.authorization = `Bearer ${token}`;
}

/** The subprotocol the server answers with: ours if offered, else none (RFC 6455 §4.2.2). */
export function chooseSubprotocol(offered: Set<string>): string | false {
  return offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false;
}

/** The bearer token the upgrade was authenticated with. */
export function bearerTokenOf(request: FastifyRequest): string {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? '';
}

/**
 * Browsers send cookies with a cross-site WebSocket upgrade and WebSockets
 * have no CORS: a page elsewhere could open the operator channel with the
 * panel's cookie (cross-site WebSocket hijacking). A cookie-authenticated
 * upgrade must therefore come from the box's own origin (RFC 6455 §10.2).
 * Bearer tokens are not sent by browsers on their own, so they pass.
 */
export function requireSameOrigin(request: FastifyRequest): void {
  const p = request.principal;
  if (p.kind !== 'operator' || p.via !== 'cookie') return;
  const origin = request.headers.origin;
  const host = request.headers.host;
  let originHost: string | null = null;
  try {
    originHost = origin === undefined ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost === null || host === undefined || originHost !== host) throw authErrors.forbidden();
}
