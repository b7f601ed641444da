import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
beforeEach(async () => {
  h = await createApiHarness();
});
afterEach(async () => {
  await h.close();
});

describe('runtime settings', () => {
  it('apply to the next request without a restart', async () => {
    const now = h.clock.now();
    const user = await h.db
      .insertInto('users')
      .values({ first_name: 'Léa', last_name: 'Hoarau', birth_date: '1990-01-01', phone: '+262692123456', email: null, photo_key: null, photo_mime: null, guardian_name: null, guardian_consent_at: null, consent_at: now, consent_text_version: '2026-01', consent_revoked_at: null, anonymised_at: null, deleted_at: null, notes: null, created_by: null, created_at: now, updated_at: now, search_text: 'hoarau lea' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const admin = await h.bearer('admin');
    const marie = await h.bearer('marie');
    const issue = () => h.app.inject({ method: 'POST', url: '/api/sessions', headers: marie, payload: { userId: user.id, durationMinutes: 30 } });

    expect((await issue()).statusCode).toBe(201);
    const set = await h.app.inject({ method: 'PUT', url: '/api/settings/sessions.dailyQuota', headers: admin, payload: { value: 1 } });
    expect(set.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    const refused = await issue();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('DAILY_QUOTA_REACHED');

    const reset = await h.app.inject({ method: 'DELETE', url: '/api/settings/sessions.dailyQuota', headers: admin });
    expect(reset.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect((await issue()).statusCode).toBe(201);
  });
});
