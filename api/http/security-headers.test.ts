import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { SECURITY_HEADERS, securityHeaders } from './security-headers.ts';

const names = SECURITY_HEADERS.map(([name]) => name);

describe('securityHeaders', () => {
  it("sends exactly the headers @fastify/helmet's defaults send", async () => {
    const reference = Fastify();
    await reference.register(helmet, { global: true });
    reference.get('/x', async () => ({ ok: true }));
    const res = await reference.inject({ method: 'GET', url: '/x' });
    await reference.close();
    const fromHelmet = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !['content-type', 'content-length', 'date', 'connection'].includes(name)));
    expect(Object.fromEntries(SECURITY_HEADERS)).toEqual(fromHelmet);
  });

  it('sets them on answers, errors and unknown routes, and lets a route set its own CSP', async () => {
    const app = Fastify();
    await app.register(securityHeaders);
    app.get('/ok', async () => ({ ok: true }));
    app.get('/fails', async () => {
      throw new Error('boom');
    });
    app.get('/docs', { onSend: (_req, reply, payload, done) => done(null, (reply.header('content-security-policy', "default-src 'none'"), payload)) }, async () => 'page');
    for (const url of ['/ok', '/fails', '/nowhere']) {
      const res = await app.inject({ method: 'GET', url });
      for (const [name, value] of SECURITY_HEADERS) expect(res.headers[name], `${url} ${name}`).toBe(value);
    }
    const docs = await app.inject({ method: 'GET', url: '/docs' });
    expect(docs.headers['content-security-policy']).toBe("default-src 'none'");
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
    await app.close();
  });

  it('names each header once', () => {
    expect(new Set(names).size).toBe(names.length);
  });
});
