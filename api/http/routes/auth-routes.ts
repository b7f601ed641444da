import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AttemptLimiter } from '../../auth/attempt-limiter.ts';
import { logout, principalForAccessToken, principalForStationToken, refresh, type AuthContext } from '../../auth/auth-service.ts';
import { guardedLogin } from '../../auth/guarded-login.ts';
import { csrfTokenFor } from '../../auth/tokens.ts';
import { ChangePasswordBody, LoginBody, Me, NoContent, RefreshBody, RefreshResponse, TokenResponse, VerifyBody, VerifyResponse } from '../../contract/auth.ts';
import { Problem } from '../../contract/problem.ts';
import { changePassword } from '../../operators/operators-service.ts';
import { notFound } from '../../shared/errors.ts';
import { SESSION_COOKIE } from '../auth-plugin.ts';
import { operatorOf } from '../principal-helpers.ts';

export interface AuthRoutesOptions {
  ctx: AuthContext;
  loginLimiter: AttemptLimiter;
  /** Send the cookie with `Secure` (behind HTTPS). */
  secureCookie: boolean;
}

const errors = { 400: Problem, 401: Problem, 403: Problem, 429: Problem, 503: Problem };

/** The seed's /api/token/, /refresh/, /verify/, plus logout, me and password change. */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { ctx } = opts;

  app.post('/api/auth/login', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Log in (seed: POST /api/token/)', body: LoginBody, response: { 200: TokenResponse, ...errors } },
  }, async (request, reply) => {
    const result = await guardedLogin(ctx, opts.loginLimiter, {
      username: request.body.username,
      password: request.body.password,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
    if (request.body.useCookie) {
      void reply.setCookie(SESSION_COOKIE, result.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookie,
        path: '/',
        maxAge: Math.floor(ctx.auth.sessionMaxMs / 1000),
      });
    }
    return {
      tokenType: 'Bearer' as const,
      accessToken: result.accessToken,
      refreshToken: result.refreshToken,
      expiresIn: result.expiresIn,
      mustChangePassword: result.mustChangePassword,
      csrfToken: csrfTokenFor(ctx.auth.tokenKey, result.sessionId),
    };
  });

  app.post('/api/auth/refresh', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Rotate a refresh token (seed: POST /api/token/refresh/)', body: RefreshBody, response: { 200: RefreshResponse, ...errors } },
  }, async (request) => {
    const pair = await refresh(ctx, request.body.refreshToken);
    return { tokenType: 'Bearer' as const, accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresIn: pair.expiresIn };
  });

  app.post('/api/auth/verify', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Check a token (seed: POST /api/token/verify/)', body: VerifyBody, response: { 200: VerifyResponse, ...errors } },
  }, async (request) => {
    const token = request.body.token;
    const p = token.startsWith('st_') ? await principalForStationToken(ctx, token) : await principalForAccessToken(ctx, token);
    if (p === null || p.kind === 'anonymous') return { valid: false };
    return { valid: true, kind: p.kind };
  });

  app.post('/api/auth/logout', {
    config: { access: 'login' },
    schema: { tags: ['auth'], summary: 'End this login (tokens and cookie)', response: { 204: NoContent, ...errors } },
  }, async (request, reply) => {
    const op = operatorOf(request);
    await logout(ctx, op.sessionId, op.operatorId);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/api/auth/me', {
    config: { access: 'login' },
    schema: { tags: ['auth'], summary: 'Who am I', response: { 200: Me, ...errors } },
  }, async (request) => {
    const op = operatorOf(request);
    const row = await ctx.db.selectFrom('operators').selectAll().where('id', '=', op.operatorId).executeTakeFirst();
    if (!row) throw notFound('operator', op.operatorId);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      mustChangePassword: row.must_change_password === 1,
      csrfToken: csrfTokenFor(ctx.auth.tokenKey, op.sessionId),
    };
  });

  app.post('/api/auth/password', {
    config: { access: 'login' },
    schema: { tags: ['auth'], summary: 'Change my password (required first with a one-time password)', body: ChangePasswordBody, response: { 204: NoContent, ...errors } },
  }, async (request, reply) => {
    const op = operatorOf(request);
    await changePassword(ctx, op.operatorId, request.body.currentPassword, request.body.newPassword);
    return reply.code(204).send(null);
  });
};
