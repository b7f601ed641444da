// The list pages are written as JSON text straight from the domain's views
// (user-json, session-json, station-json, audit-json in api/contract): each
// body must be exactly what the response serializer wrote from the wire
// objects before (same bytes), on rows holding every edge a client can meet,
// and must match the route's response schema with no extra property. Read in the main thread
// and on the list worker (its own read-only connection to a SQLite file, api/lists).
import { FormatRegistry, Kind, Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import fastJsonStringify from 'fast-json-stringify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../api/audit/audit-queries.ts';
import { AuditPage } from '../../api/contract/audit.ts';
import { forSerializer } from '../../api/contract/serializer-schema.ts';
import { SessionPage, sessionToWire } from '../../api/contract/session.ts';
import { StationPage, stationToWire } from '../../api/contract/station.ts';
import { UserPage, userToWire } from '../../api/contract/user.ts';
import { listSessions, type SessionListQuery } from '../../api/sessions/session-queries.ts';
import { LIVE_STATUSES } from '../../api/sessions/sessions-table.ts';
import { listStations } from '../../api/stations/station-list.ts';
import { listUsers } from '../../api/users/users-service.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(v) || /^[+-]\d{6}-/.test(v));

const SCALARS = { string: Type.String, integer: Type.Integer, boolean: Type.Boolean, number: Type.Number } as const;

/**
 * The schema with `additionalProperties: false` on every object that lists its
 * properties, and the serializer's nullable scalars (`type: [t, 'null']`,
 * which TypeBox's checker cannot read) as unions with null.
 */
function strict<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(strict) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const node = schema as Record<string | symbol, unknown>;
  if (node[Kind] === 'Unsafe' && Array.isArray(node.type)) {
    const { type, ...options } = node as { type: Array<keyof typeof SCALARS | 'null'> };
    return Type.Union([SCALARS[type[0] as keyof typeof SCALARS](options), Type.Null()]) as T;
  }
  const out: Record<string | symbol, unknown> = { ...(schema as object) };
  for (const [key, value] of Object.entries(schema as object)) out[key] = strict(value);
  if ((schema as Record<string | symbol, unknown>)[Kind] === 'Object' && 'properties' in out) out.additionalProperties = false;
  return out as T;
}

const TEXTS = ['quote " and \\ backslash', 'NUL \u0000 inside', 'controls \u0001\u001e\u001f\b\f\n\r\t\u007f', 'emoji 👩🏽‍💻 é ñ', 'line seps \u2028\u2029', '</script>', ''];
const MAX = 2 ** 53 - 1;

let h: ApiHarness;
let metadata: string[];
let auth: { authorization: string };

async function body(url: string): Promise<string> {
  const res = await h.app.inject({ method: 'GET', url, headers: auth });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  return res.body;
}

/** The body is the document the serializer wrote from the wire objects (JSON-equal; the same bytes when `bytes`), and fits the schema. */
function expectSame(text: string, before: unknown, schema: TSchema, bytes = true): void {
  const serialized = fastJsonStringify(forSerializer(schema) as never)(before);
  if (bytes) expect(text).toBe(serialized);
  const parsed = JSON.parse(text) as unknown;
  expect(parsed).toEqual(JSON.parse(serialized));
  expect([...Value.Errors(strict(schema), parsed)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
}

const DAY = 86_400_000;
const YEAR_10000 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z, the last instant RFC 3339 writes

describe.each(['in the main thread', 'on the list worker'] as const)('list bodies written as text, read %s', (where) => {
  beforeAll(async () => {
    h = await createApiHarness({ listWorker: where === 'on the list worker' });
    // Not the main thread standing in for a worker that failed to start.
    expect(h.app.listReader.mode).toBe(where === 'on the list worker' ? 'worker' : 'in-process');
    auth = await h.bearer('marie');
    const now = h.clock.now();
    const [op] = await h.db.selectFrom('operators').select('id').where('username', '=', 'marie').execute();
    const text = (i: number) => TEXTS[i % TEXTS.length]!;
    const person = (i: number) => ({
      first_name: text(i), last_name: `${text(i + 1)} ${i}`, birth_date: '1990-05-14', phone: '+262692123456', email: text(i + 2), photo_key: null, photo_mime: null,
      guardian_name: null, guardian_consent_at: null, consent_at: now - DAY, consent_text_version: h.ctx.policy.consentTextVersion, consent_revoked_at: null,
      anonymised_at: null, deleted_at: null, notes: text(i + 3), search_text: `${text(i + 1)} ${i}`.toLowerCase(), created_by: op!.id, created_at: now - i * DAY, updated_at: now,
    });
    const users = [
      { ...person(0), photo_key: 'photo-key', photo_mime: 'image/jpeg' },
      { ...person(1), consent_at: null, consent_text_version: null },
      { ...person(2), birth_date: '2016-01-01' },
      { ...person(3), birth_date: '2015-02-01', guardian_name: text(5), guardian_consent_at: now - 2 * DAY },
      { ...person(4), first_name: null, last_name: null, birth_date: null, phone: null, email: null, notes: null, search_text: null, anonymised_at: now - DAY, consent_revoked_at: now - DAY },
      { ...person(5), birth_date: null },
      { ...person(6), birth_date: 'garbage', phone: 'not a number' },
      { ...person(7), consent_text_version: 'old-text', created_by: null, email: null, notes: null },
      { ...person(8), id: MAX, created_at: 0, updated_at: -1, guardian_consent_at: YEAR_10000, birth_date: '2008-03-02' },
      { ...person(9), id: -MAX, created_at: -DAY - 1, phone: '+33612345678', birth_date: '2011-03-03' },
      { ...person(10), deleted_at: now, anonymised_at: now, first_name: null, last_name: null, search_text: null },
    ];
    for (const u of users) await h.db.insertInto('users').values(u).execute();
    const userId = (await h.db.selectFrom('users').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;

    const STATES = ['available', 'occupied', 'maintenance', 'offline', 'pending'] as const;
    const stationIds: number[] = [];
    for (let i = 0; i < 10; i++) {
      const row = await h.db
        .insertInto('stations')
        .values({
          name: `${text(i)} P${i}`, mac: `52:54:00:00:00:${String(i).padStart(2, '0')}`, ip: i % 3 === 0 ? null : `10.0.0.${i}`, state: STATES[i % STATES.length]!,
          state_reason: i % 2 === 0 ? null : text(i + 1), last_heartbeat_at: [null, now, now - 3_600_000, now + 5000][i % 4]!, agent_version: i % 2 === 1 ? null : text(i + 2),
          deleted_at: i === 9 ? now : null, created_at: i === 0 ? 0 : now - i * DAY, updated_at: i === 1 ? YEAR_10000 : now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      stationIds.push(row.id);
    }

    const session = (i: number) => ({
      code: `C${String(i).padStart(7, '0')}`, user_id: userId, bound_station_id: null as number | null, station_id: null as number | null, station_ip: null as string | null,
      status: 'pending' as const, end_reason: null, allotted_ms: 3_600_000, remaining_ms: 3_600_000 as number | null, ends_at: null as number | null,
      code_expires_at: now + DAY, created_at: now - i * 60_000, started_at: null as number | null, suspended_at: null, ended_at: null as number | null, created_by: op!.id as number | null, updated_at: now,
    });
    const started = { started_at: now - 600_000 };
    const sessions = [
      { ...session(0), bound_station_id: stationIds[2]!, created_by: null },
      { ...session(1), ...started, status: 'active', station_id: stationIds[0]!, station_ip: text(0), remaining_ms: null, ends_at: now + 1_234_567 },
      { ...session(2), ...started, status: 'active', station_id: stationIds[1]!, station_ip: '10.0.0.1', ends_at: now - 1000, allotted_ms: 1 },
      { ...session(3), ...started, status: 'suspended', station_id: stationIds[3]!, remaining_ms: 1_234_567, suspended_at: now - 60_000, allotted_ms: 7_654_321 },
      { ...session(4), ...started, status: 'active', station_id: stationIds[4]!, ends_at: now + 1, allotted_ms: 60_001, created_at: 0, code_expires_at: YEAR_10000 },
      ...(['expired', 'ended_by_operator', 'ended_by_visitor', 'cancelled', 'code_expired'] as const).map((reason, i) => ({
        ...session(5 + i), ...(reason === 'cancelled' || reason === 'code_expired' ? {} : started), status: 'ended', end_reason: reason,
        remaining_ms: reason === 'expired' ? 0 : 999, ended_at: now - 1000, station_id: reason === 'cancelled' ? null : stationIds[5]!,
      })),
      { ...session(11), id: MAX, created_at: -1 },
    ];
    for (const s of sessions) await h.db.insertInto('sessions').values(s as never).execute();

    metadata = ['{}', '{"a":"quote \\" \\\\ \\u0000 👩🏽‍💻","n":9007199254740993,"m":-9007199254740991,"f":1.5,"x":[1,{"y":null}],"t":true}', 'not json', '[1,2]', 'null', '"text"', '{"a":1,"a":2}', '{"big":1e400}'];
    for (let i = 0; i < 12; i++) {
      await h.db
        .insertInto('audit_events')
        // Any text in the closed-set columns: a row changed behind the application's back still lists.
        .values({
          occurred_at: [now, 0, -1, YEAR_10000][i % 4]!, actor_type: text(i), actor_id: [null, MAX, -MAX, 7][i % 4]!, action: text(i + 1),
          target_type: i % 3 === 0 ? null : text(i + 2), target_id: i % 3 === 1 ? null : MAX + 2, metadata: metadata[i % metadata.length]!,
          prev_hash: `prev-${i}-${text(i)}`, hash: `hash-${i}`,
        } as never)
        .execute();
    }
  });

  afterAll(async () => {
    await h.close();
  });

    it('visitors: every status, nulls, edge text, extreme ids and instants, every page shape', async () => {
      for (const query of ['includeAnonymised=true&pageSize=200', 'pageSize=3&page=2', 'sort=createdAt&pageSize=200&includeAnonymised=true', 'pageSize=5&page=99', 'consent=guardian_required']) {
        const params = Object.fromEntries(new URLSearchParams(query));
        const page = await listUsers(h.ctx, {
          ...(params.includeAnonymised && { includeAnonymised: true }), ...(params.pageSize && { pageSize: Number(params.pageSize) }), ...(params.page && { page: Number(params.page) }),
          ...(params.sort && { sort: 'created_at' as const }), ...(params.consent && { consent: params.consent as 'guardian_required' }),
        });
        expectSame(await body(`/api/users?${query}`), { ...page, items: page.items.map(userToWire) }, UserPage);
      }
      const all = JSON.parse(await body('/api/users?includeAnonymised=true&pageSize=200')) as { items: Array<{ consent: { status: string } }> };
      expect(new Set(all.items.map((u) => u.consent.status))).toEqual(new Set(['valid', 'missing', 'guardian_required', 'revoked']));
    });

    it('sessions and the live screen: every status and end reason, overdue, nulls, edge text', async () => {
      const cases: Array<[string, SessionListQuery]> = [
        ['/api/sessions?pageSize=200', { pageSize: 200 }],
        ['/api/sessions?pageSize=4&page=2&sort=startedAt&order=asc', { pageSize: 4, page: 2, sort: 'started_at', order: 'asc' }],
        ['/api/sessions/live', { status: [...LIVE_STATUSES], order: 'asc' }],
        ['/api/sessions/live?pageSize=2&page=2', { status: [...LIVE_STATUSES], order: 'asc', pageSize: 2, page: 2 }],
      ];
      for (const [url, query] of cases) {
        const page = await listSessions(h.ctx, query);
        expectSame(await body(url), { ...page, items: page.items.map(sessionToWire) }, SessionPage);
      }
    });

    it('stations: every state, online or not, running sessions, nulls, edge text', async () => {
      for (const [url, query] of [
        ['/api/stations?pageSize=200', { pageSize: 200 }],
        ['/api/stations?pageSize=3&page=2&sort=lastHeartbeat&order=desc', { pageSize: 3, page: 2, sort: 'lastHeartbeat' as const, order: 'desc' as const }],
      ] as const) {
        const page = await listStations(h.ctx, query);
        expectSame(await body(url), { ...page, items: page.items.map(stationToWire) }, StationPage);
      }
    });

    it('audit events: any metadata (unreadable, not an object, duplicates, huge numbers), nulls, edge text', async () => {
      for (const [url, request] of [
        ['/api/audit?pageSize=200', { pageSize: 200 }],
        ['/api/audit?pageSize=5&page=2&sort=oldest', { pageSize: 5, page: 2, sort: 'oldest' as const }],
      ] as const) {
        const page = await listAuditEvents(h.db, {}, request);
        expectSame(await body(url), page, AuditPage);
      }
      // Metadata that is not a JSON object lists as unreadable, as text that is not JSON does.
      const all = JSON.parse(await body('/api/audit?pageSize=200&sort=oldest')) as { items: Array<{ metadata: unknown }> };
      expect(all.items.slice(-12).map((e) => JSON.stringify(e.metadata))).toEqual(
        Array.from({ length: 12 }, (_, i) => [2, 3, 4, 5].includes(i % 8) ? '{"unreadable":true}' : JSON.stringify(JSON.parse(metadata[i % 8]!))),
      );
    });
});
