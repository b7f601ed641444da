import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access, DeclaredRoute } from '../../api/http/access.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

/**
 * Every route of the API with who may call it. (The firmware's /boot/* routes,
 * registered only with netboot on, are public by nature and are tested in
 * test/netboot/http-boot*.) A route added without a line
 * here fails the first test; a rule that differs fails it too. The second test
 * calls every route as each principal and checks the status it gets.
 */
const EXPECTED: Record<string, Access> = {
  'POST /api/auth/login': 'public',
  'POST /api/auth/refresh': 'public',
  'POST /api/auth/verify': 'public',
  'POST /api/auth/logout': 'login',
  'GET /api/auth/me': 'login',
  'POST /api/auth/password': 'login',
  'GET /api/audit': 'operator',
  'POST /api/audit/search': 'operator',
  'GET /api/audit/recent': 'operator',
  'GET /api/audit/stats': 'operator',
  'GET /api/audit/errors': 'operator',
  'GET /api/audit/by-session/:id': 'operator',
  'GET /api/audit/verify': 'admin',
  'GET /api/audit/export.csv': 'admin',
  'GET /api/audit/:id': 'operator',
  'GET /api/users': 'operator',
  'POST /api/users': 'operator',
  'GET /api/users/stats': 'operator',
  'GET /api/users/:id': 'operator',
  'PUT /api/users/:id': 'operator',
  'PATCH /api/users/:id': 'operator',
  'DELETE /api/users/:id': 'admin',
  'GET /api/users/:id/sessions': 'operator',
  'GET /api/users/:id/can-create-session': 'operator',
  'POST /api/users/:id/consent': 'operator',
  'POST /api/users/:id/guardian-consent': 'operator',
  'POST /api/users/:id/revoke-consent': 'operator',
  'GET /api/users/:id/export': 'admin',
  'PUT /api/users/:id/photo': 'operator',
  'GET /api/users/:id/photo': 'operator',
  'DELETE /api/users/:id/photo': 'operator',
  'GET /api/operators': 'admin',
  'GET /api/operators/:id': 'admin',
  'POST /api/operators': 'admin',
  'PATCH /api/operators/:id': 'admin',
  'POST /api/operators/:id/reset-password': 'admin',
  'GET /api/sessions': 'operator',
  'POST /api/sessions': 'operator',
  'GET /api/sessions/live': 'operator',
  'GET /api/sessions/stats': 'operator',
  'GET /api/sessions/:id': 'operator',
  'PUT /api/sessions/:id': 'operator',
  'PATCH /api/sessions/:id': 'operator',
  'DELETE /api/sessions/:id': 'operator',
  'POST /api/sessions/:id/start': 'operator',
  'POST /api/sessions/:id/add-time': 'operator',
  'POST /api/sessions/:id/remove-time': 'operator',
  'POST /api/sessions/:id/end': 'station_or_operator',
  'POST /api/sessions/:id/suspend': 'operator',
  'POST /api/sessions/:id/resume': 'operator',
  'GET /api/sessions/:id/time-remaining': 'station_or_operator',
  'POST /api/sessions/validate-code': 'station_or_operator',
  'POST /api/sessions/start': 'station',
  'GET /api/sessions/export.csv': 'admin',
  'GET /api/jobs': 'admin',
  'POST /api/jobs/:name/run': 'admin',
  'GET /api/reports': 'operator',
  'GET /api/reports/:id': 'operator',
  'GET /api/reports/:id/csv': 'operator',
  'GET /api/stats': 'operator',
  'GET /api/stats/export.csv': 'admin',
  'GET /api/settings': 'admin',
  'PUT /api/settings/:key': 'admin',
  'DELETE /api/settings/:key': 'admin',
  'GET /api/stations': 'operator',
  'GET /api/stations/available': 'operator',
  'GET /api/stations/stats': 'operator',
  'POST /api/stations': 'admin',
  'GET /api/stations/:id': 'station_or_operator', // only about itself (:id)
  'PUT /api/stations/:id': 'admin',
  'PATCH /api/stations/:id': 'admin',
  'DELETE /api/stations/:id': 'admin',
  'POST /api/stations/:id/heartbeat': 'station', // only about itself (:id)
  'POST /api/stations/:id/mark-available': 'operator',
  'POST /api/stations/:id/mark-maintenance': 'operator',
  'POST /api/stations/:id/mark-offline': 'operator',
  'POST /api/stations/:id/approve': 'admin',
  'GET /api/stations/:id/active-session': 'station_or_operator', // only about itself (:id)
  'POST /api/stations/:id/token': 'admin',
  'POST /api/stations/enroll': 'public',
  'GET /api/boot/profiles': 'admin',
  'POST /api/boot/profiles': 'admin',
  'GET /api/boot/profiles/:id': 'admin',
  'PATCH /api/boot/profiles/:id': 'admin',
  'DELETE /api/boot/profiles/:id': 'admin',
  'POST /api/boot/profiles/:id/switch': 'admin',
  'POST /api/boot/profiles/:id/rollback': 'admin',
  'GET /api/boot/default-profile': 'admin',
  'PUT /api/boot/default-profile': 'admin',
  'GET /api/boot/groups': 'admin',
  'POST /api/boot/groups': 'admin',
  'GET /api/boot/groups/:id': 'admin',
  'PATCH /api/boot/groups/:id': 'admin',
  'DELETE /api/boot/groups/:id': 'admin',
  'GET /api/boot/stations/:id': 'admin',
  'PATCH /api/boot/stations/:id': 'admin',
  'GET /api/boot/images': 'admin',
  'GET /api/boot/images/:name/:version': 'admin',
  'POST /api/boot/images/:name/:version/seal': 'admin',
  'POST /api/boot/images/:name/:version/verify': 'admin',
  'DELETE /api/boot/images/:name/:version': 'admin',
  'POST /api/stations/:id/message': 'operator',
  'POST /api/stations/:id/lock': 'operator',
  'POST /api/stations/:id/reboot': 'operator',
  'GET /ws/station': 'station',
  'GET /ws/operator': 'operator',
  'GET /api/health': 'public',
};

/** Routes registered by plugins (OpenAPI UI, CORS preflight): public by design. */
const isPluginRoute = (r: DeclaredRoute) => r.url.startsWith('/api/docs') || r.method === 'OPTIONS';
/** WebSocket upgrades are covered by the realtime tests (an inject() cannot upgrade). */
const isWebSocket = (r: DeclaredRoute) => r.url.startsWith('/ws/');

interface World {
  h: ApiHarness;
  ownStation: number;
  otherStation: number;
  ownSession: number;
  headers: Record<Who, Record<string, string>>;
}

type Who = 'anonymous' | 'station' | 'operator' | 'admin';
const WHO: Who[] = ['anonymous', 'station', 'operator', 'admin'];

/** A fresh app and data for one principal's walk, so one caller's deletions never change another's answers. */
async function world(): Promise<World> {
  const h = await createApiHarness();
  const now = h.clock.now();
  const insert = (name: string, mac: string) =>
    h.db
      .insertInto('stations')
      .values({ name, mac, ip: null, state: 'occupied', state_reason: null, last_heartbeat_at: null, agent_version: null, created_at: now, updated_at: now, deleted_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
  const ownStation = (await insert('poste-a', '52:54:00:00:00:0a')).id;
  const otherStation = (await insert('poste-b', '52:54:00:00:00:0b')).id;
  // A session running on the station, so "its own session" routes have one to act on.
  const user = await h.db
    .insertInto('users')
    .values({ first_name: 'A', last_name: 'B', birth_date: '1990-01-01', phone: '+262692000001', email: null, photo_key: null, photo_mime: null, guardian_name: null, guardian_consent_at: null, consent_at: now, consent_text_version: '2026-01', consent_revoked_at: null, anonymised_at: null, deleted_at: null, notes: null, created_by: null, created_at: now, updated_at: now, search_text: 'b a' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ownSession = (
    await h.db
      .insertInto('sessions')
      .values({ code: 'ABCDEFGH', user_id: user.id, bound_station_id: null, station_id: ownStation, station_ip: null, status: 'active', end_reason: null, allotted_ms: 3_600_000, remaining_ms: null, ends_at: now + 3_600_000, code_expires_at: now + 86_400_000, created_at: now, started_at: now, suspended_at: null, ended_at: null, created_by: null, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const headers: Record<Who, Record<string, string>> = {
    anonymous: {},
    station: { authorization: `Bearer ${await issueStationToken(h.ctx, ownStation)}` },
    operator: await h.bearer('marie'),
    admin: await h.bearer('admin'),
  };
  return { h, ownStation, otherStation, ownSession, headers };
}

let first: World;
beforeAll(async () => {
  first = await world();
});
afterAll(async () => {
  await first.h.close();
});

const key = (r: DeclaredRoute) => `${r.method} ${r.url}`;

describe('authorization matrix', () => {
  it('lists every route with its expected access rule', () => {
    const actual = Object.fromEntries(first.h.app.declaredRoutes.filter((r) => !isPluginRoute(r)).map((r) => [key(r), r.access]));
    expect(actual).toEqual(EXPECTED);
  });

  function allowed(access: Access, who: Who): boolean {
    if (access === 'public') return true;
    if (who === 'anonymous') return false;
    if (who === 'station') return access === 'station' || access === 'station_or_operator';
    if (access === 'station') return false;
    if (access === 'admin') return who === 'admin';
    return true;
  }

  // Ids that exist where the caller's own things are concerned, and a missing
  // one elsewhere (so no call changes the operators the walk logs in with).
  function fill(w: World, url: string, stationId: number): string {
    const id = url.startsWith('/api/stations/') ? stationId : url.startsWith('/api/sessions/') ? w.ownSession : 424242;
    return url.replace(/:id\b/g, String(id)).replace(/:key\b/g, 'sessions.dailyQuota').replace(/:[a-zA-Z]+/g, 'x').replace('*', 'x');
  }

  it.each(WHO)('gives %s the status each rule says', async (who) => {
    const w = who === 'anonymous' ? first : await world();
    const failures: string[] = [];
    try {
      // Logout last: it ends the login the other calls use.
      const routes = w.h.app.declaredRoutes.filter((r) => !isPluginRoute(r) && !isWebSocket(r));
      const ordered = [...routes.filter((r) => r.url !== '/api/auth/logout'), ...routes.filter((r) => r.url === '/api/auth/logout')];
      for (const route of ordered) {
        const targets = route.selfParam && who === 'station' ? [w.ownStation, w.otherStation] : [w.ownStation];
        for (const target of targets) {
          const res = await w.h.app.inject({
            method: route.method as 'GET',
            url: fill(w, route.url, target),
            headers: w.headers[who],
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
          const mayPass = allowed(route.access, who) && !(route.selfParam && who === 'station' && target !== w.ownStation);
          const expected = mayPass ? 'not 401/403' : who === 'anonymous' ? 401 : 403;
          const ok = mayPass ? res.statusCode !== 401 && res.statusCode !== 403 : res.statusCode === expected;
          if (!ok) failures.push(`${key(route)}${targets.length > 1 ? ` on station ${target}` : ''}: got ${res.statusCode}, expected ${expected}`);
        }
      }
    } finally {
      if (w !== first) await w.h.close();
    }
    expect(failures).toEqual([]);
  });
});
