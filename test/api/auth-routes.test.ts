import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHarness, OPERATOR_PASSWORD, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
beforeEach(async () => {
  h = await createApiHarness();
});
afterEach(async () => {
  await h.close();
});

const login = (payload: object) => h.app.inject({ method: 'POST', url: '/api/auth/login', payload });

describe('auth over HTTP', () => {
  it('logs in with a bearer token and tells who I am', async () => {
    const headers = await h.bearer('marie');
    const me = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'marie', role: 'operator', mustChangePassword: false });
  });

  it('answers a wrong password with problem+json in French and English', async () => {
    const res = await login({ username: 'marie', password: 'nope' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      type: 'urn:epnbox:problem:AUTH_INVALID_CREDENTIALS',
      status: 401,
      code: 'AUTH_INVALID_CREDENTIALS',
      detail: 'Identifiant ou mot de passe incorrect.',
      detailEn: 'Wrong username or password.',
    });
    expect(res.json().requestId).toBeTruthy();
  });

  it('throttles after 5 failures and says when to retry', async () => {
    for (let i = 0; i < 5; i++) expect((await login({ username: 'marie', password: 'nope' })).statusCode).toBe(401);
    const locked = await login({ username: 'marie', password: OPERATOR_PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('30');
    h.clock.advance(30_000);
    expect((await login({ username: 'marie', password: OPERATOR_PASSWORD })).statusCode).toBe(200);
    const lockEvents = await h.db.selectFrom('audit_events').select('metadata').where('action', '=', 'auth.login_failed').execute();
    expect(lockEvents.some((e) => JSON.parse(e.metadata).reason === 'locked_out')).toBe(true);
  });

  it('refuses an unknown field instead of dropping it', async () => {
    const res = await login({ username: 'marie', password: OPERATOR_PASSWORD, rememberMe: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives field details for a malformed body', async () => {
    const res = await login({ username: 'marie' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.json().errors[0].field).toBe('body.password');
  });

  it('uses an httpOnly SameSite=Strict cookie that needs the CSRF header to change state', async () => {
    const res = await login({ username: 'marie', password: OPERATOR_PASSWORD, useCookie: true });
    const cookie = res.cookies.find((c) => c.name === 'epnbox_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const cookies = { epnbox_session: cookie.value };
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies })).statusCode).toBe(200);
    const noCsrf = await h.app.inject({ method: 'POST', url: '/api/auth/logout', cookies });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('AUTH_CSRF');
    const ok = await h.app.inject({ method: 'POST', url: '/api/auth/logout', cookies, headers: { 'x-csrf-token': res.json().csrfToken } });
    expect(ok.statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies })).statusCode).toBe(401);
  });

  it('rotates refresh tokens and detects reuse', async () => {
    const first = (await login({ username: 'marie', password: OPERATOR_PASSWORD })).json();
    const second = await h.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(second.statusCode).toBe(200);
    const replay = await h.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('AUTH_REFRESH_REUSED');
    const verify = await h.app.inject({ method: 'POST', url: '/api/auth/verify', payload: { token: second.json().accessToken } });
    expect(verify.json()).toEqual({ valid: false });
  });

  it('forces a one-time password to be changed before anything else', async () => {
    await h.db.updateTable('operators').set({ must_change_password: 1 }).where('username', '=', 'marie').execute();
    const body = (await login({ username: 'marie', password: OPERATOR_PASSWORD })).json();
    expect(body.mustChangePassword).toBe(true);
    const headers = { authorization: `Bearer ${body.accessToken}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers })).statusCode).toBe(200);
    const change = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers,
      payload: { currentPassword: OPERATOR_PASSWORD, newPassword: 'a brand new long password' },
    });
    expect(change.statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers })).json().mustChangePassword).toBe(false);
  });

  it('answers unknown routes with a problem, and serves OpenAPI at /api/docs', async () => {
    const missing = await h.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('ROUTE_NOT_FOUND');
    const spec = await h.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.json().openapi).toBe('3.0.3');
    expect(Object.keys(spec.json().paths)).toContain('/api/auth/login');
    expect((await h.app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBeLessThan(400);
  });

  it('sends security headers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeTruthy();
  });
});
