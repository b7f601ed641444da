import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-actions.ts';
import type { Db } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy } from '../shared/domain-context.ts';
import { createTestDb } from '../testing/test-db.ts';
import { changeSetting, resetSettingEntry } from './settings-entry.ts';
import { settingsDefaultsFrom } from './settings-policy.ts';

const defaults = settingsDefaultsFrom(defaultPolicy);

describe('setting entries', () => {
  let db: Db;
  const clock = new FakeClock();
  beforeEach(async () => {
    db = await createTestDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('answers a change and a reset with the entry the panel shows', async () => {
    expect(await changeSetting({ db, clock }, systemActor, 'sessions.dailyQuota', 5, defaults)).toEqual({
      key: 'sessions.dailyQuota', value: 5, defaultValue: 3, isDefault: false, updatedAt: clock.now(), updatedBy: null, storedValueRejected: false,
    });
    expect(await resetSettingEntry({ db, clock }, systemActor, 'sessions.dailyQuota', defaults)).toMatchObject({ value: 3, isDefault: true, updatedAt: null });
  });

  it('passes refusals through', async () => {
    await expect(changeSetting({ db, clock }, systemActor, 'nope', 1, defaults)).rejects.toMatchObject({ code: 'SETTING_UNKNOWN' });
    await expect(changeSetting({ db, clock }, systemActor, 'sessions.dailyQuota', 0, defaults)).rejects.toMatchObject({ code: 'SETTING_INVALID' });
    await expect(resetSettingEntry({ db, clock }, systemActor, 'nope', defaults)).rejects.toMatchObject({ code: 'SETTING_UNKNOWN' });
  });
});
