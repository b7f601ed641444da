import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let admin: { authorization: string };
beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
});
afterEach(async () => {
  await h.close();
});

const call = (opts: InjectOptions) => h.app.inject(opts);
const put = (key: string, payload: unknown, headers = admin) => call({ method: 'PUT', url: `/api/settings/${key}`, headers, payload: payload as object });

describe('settings over HTTP', () => {
  it('lists every setting with its default from the policy, description and what is expected', async () => {
    const res = await call({ method: 'GET', url: '/api/settings', headers: admin });
    expect(res.statusCode).toBe(200);
    const list = res.json() as Array<Record<string, unknown>>;
    expect(list.map((e) => e.key)).toEqual([
      'sessions.dailyQuota',
      'sessions.defaultDurationMinutes',
      'sessions.addTimePresetsMinutes',
      'sessions.unusedCodeExpiryHours',
      'stations.autoApprove',
      'stations.heartbeatTimeoutSeconds',
      'consent.textVersion',
      'retention.connectionRecordsDays',
    ]);
    expect(list[0]).toEqual({
      key: 'sessions.dailyQuota',
      value: 3,
      defaultValue: 3,
      isDefault: true,
      updatedAt: null,
      updatedBy: null,
      storedValueRejected: false,
      description: 'Sessions a visitor may receive per local day.',
      expected: { fr: 'un entier de 1 à 50', en: 'an integer from 1 to 50' },
    });
    expect(list.find((e) => e.key === 'sessions.addTimePresetsMinutes')).toMatchObject({ value: [15, 30] });
    expect(list.find((e) => e.key === 'stations.autoApprove')).toMatchObject({ value: false });
  });

  it('round-trips a change and a reset, audited', async () => {
    const changed = await put('sessions.addTimePresetsMinutes', { value: [10, 20, 45] });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ key: 'sessions.addTimePresetsMinutes', value: [10, 20, 45], defaultValue: [15, 30], isDefault: false, updatedBy: 1, updatedAt: new Date(h.clock.now()).toISOString() });
    await put('stations.autoApprove', { value: true });
    const list = (await call({ method: 'GET', url: '/api/settings', headers: admin })).json() as Array<{ key: string; value: unknown }>;
    expect(list.find((e) => e.key === 'stations.autoApprove')!.value).toBe(true);
    const reset = await call({ method: 'DELETE', url: '/api/settings/stations.autoApprove', headers: admin });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ value: false, isDefault: true, updatedAt: null });
    const events = await h.db.selectFrom('audit_events').select('metadata').where('action', '=', 'settings.changed').execute();
    expect(events.map((e) => JSON.parse(e.metadata))).toEqual([
      { key: 'sessions.addTimePresetsMinutes', from: [15, 30], to: [10, 20, 45] },
      { key: 'stations.autoApprove', from: false, to: true },
      { key: 'stations.autoApprove', from: true, to: false, reset: true },
    ]);
  });

  it('refuses a bad value with 400 naming the key, the value and what is expected', async () => {
    const res = await put('sessions.dailyQuota', { value: '3' });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem).toMatchObject({ code: 'SETTING_INVALID', errors: [{ field: 'sessions.dailyQuota', fr: 'un entier de 1 à 50', en: 'an integer from 1 to 50' }] });
    expect(problem.detail).toBe('Valeur refusée pour « sessions.dailyQuota » : "3" ; attendu : un entier de 1 à 50.');
    expect(problem.detailEn).toBe('Value refused for "sessions.dailyQuota": "3"; expected an integer from 1 to 50.');
    expect(problem.details).toMatchObject({ key: 'sessions.dailyQuota', value: '"3"', expected: 'an integer from 1 to 50' });
    expect(await h.db.selectFrom('settings').selectAll().execute()).toEqual([]);
  });

  it('refuses an unknown key (PUT and DELETE) and a body without value', async () => {
    const unknown = await put('sessions.dailyQuotas', { value: 3 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'SETTING_UNKNOWN', errors: [{ field: 'key' }], details: { key: 'sessions.dailyQuotas' } });
    expect(unknown.json().detail).toContain('sessions.dailyQuota,');
    expect((await call({ method: 'DELETE', url: '/api/settings/nope', headers: admin })).json().code).toBe('SETTING_UNKNOWN');
    const noValue = await put('sessions.dailyQuota', {});
    expect(noValue.statusCode).toBe(400);
    expect(noValue.json().errors[0].field).toBe('body.value');
  });

  it('is for admins only', async () => {
    const marie = await h.bearer('marie');
    expect((await call({ method: 'GET', url: '/api/settings', headers: marie })).statusCode).toBe(403);
    expect((await put('sessions.dailyQuota', { value: 4 }, marie)).statusCode).toBe(403);
    expect((await call({ method: 'DELETE', url: '/api/settings/sessions.dailyQuota', headers: marie })).statusCode).toBe(403);
    expect((await call({ method: 'GET', url: '/api/settings' })).statusCode).toBe(401);
  });

  it('answers 503 and keeps the old value when storage fails', async () => {
    await put('sessions.dailyQuota', { value: 5 });
    const real = h.ctx.db;
    h.ctx.db = failingWhen(real, insertInto('audit_events'));
    const res = await put('sessions.dailyQuota', { value: 6 });
    h.ctx.db = real;
    expect(res.statusCode).toBe(503);
    const list = (await call({ method: 'GET', url: '/api/settings', headers: admin })).json() as Array<{ key: string; value: unknown }>;
    expect(list[0]!.value).toBe(5);
  });
});
