import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-actions.ts';
import type { Database } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../shared/domain-context.ts';
import { createTestDb } from '../testing/test-db.ts';
import { keepPolicyCurrent } from './live-policy.ts';
import { settingsDefaultsFrom } from './settings-policy.ts';
import { setSetting } from './settings-service.ts';

let db: Kysely<Database>;
let ctx: DomainContext;
beforeEach(async () => {
  db = await createTestDb();
  ctx = { db, clock: new FakeClock(), policy: { ...defaultPolicy } };
});
afterEach(async () => {
  await db.destroy();
});

describe('live policy', () => {
  it('applies stored settings at start and each change after commit, without touching the base', async () => {
    const base = { ...defaultPolicy };
    await setSetting(ctx, systemActor, 'sessions.dailyQuota', 5, settingsDefaultsFrom(base));
    const stop = await keepPolicyCurrent(ctx, base);
    expect(ctx.policy.dailyQuota).toBe(5);
    await setSetting(ctx, systemActor, 'sessions.dailyQuota', 7, settingsDefaultsFrom(base));
    await new Promise((r) => setTimeout(r, 10));
    expect(ctx.policy.dailyQuota).toBe(7);
    expect(base.dailyQuota).toBe(defaultPolicy.dailyQuota);
    stop();
    await setSetting(ctx, systemActor, 'sessions.dailyQuota', 9, settingsDefaultsFrom(base));
    await new Promise((r) => setTimeout(r, 10));
    expect(ctx.policy.dailyQuota).toBe(7);
  });
});

describe('settings defaults', () => {
  it('are what the configuration says, so a reset returns to it', () => {
    const configured = { ...defaultPolicy, autoApprove: true, defaultDurationMinutes: 45, connectionRecordsDays: 400 };
    expect(settingsDefaultsFrom(configured)).toMatchObject({
      'stations.autoApprove': true,
      'sessions.defaultDurationMinutes': 45,
      'retention.connectionRecordsDays': 400,
    });
  });
});
