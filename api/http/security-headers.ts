import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The headers of helmet 8's defaults, which `@fastify/helmet` (global) set
 * on every reply until session 3. They are constants, so they are written
 * out once here: the plugin rebuilt helmet() and its CSP string on every
 * request, in two async hooks (a promise each), about a tenth of a station
 * heartbeat's CPU. security-headers.test.ts checks this list against what
 * `@fastify/helmet` sends, so an upgrade of helmet that changes a default
 * shows up there.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  [
    'content-security-policy',
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  ],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  // Turns off old browsers' XSS auditor, which itself opened leaks (helmet's default).
  ['x-xss-protection', '0'],
];

/**
 * Security headers on every reply (errors and 404s included), as
 * `@fastify/helmet` with `global: true` did. A route that needs another CSP
 * sets it over this one (the API docs UI does, in its own onSend hook).
 */
export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    // A callback hook: no promise per request.
    app.addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      for (const [name, value] of SECURITY_HEADERS) reply.header(name, value);
      done();
    });
  },
  { name: 'epnbox-security-headers' },
);
