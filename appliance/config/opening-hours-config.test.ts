import { describe, expect, it } from 'vitest';
import { domainPolicyFrom } from './domain-policy.ts';
import { ConfigError, resolveConfig } from './load-config.ts';

describe('openingHours configuration', () => {
  it('defaults to always open: the policy has no opening hours', () => {
    const c = resolveConfig({});
    expect(c.openingHours.mon).toBe('00:00-24:00');
    expect(domainPolicyFrom(c).openingHours).toBeUndefined();
  });

  it('reads EPNBOX_OPENING_HOURS_* into the policy; empty closes the day', () => {
    const c = resolveConfig({ env: { EPNBOX_OPENING_HOURS_MON: '08:30-12:00,13:30-18:00', EPNBOX_OPENING_HOURS_SUN: '' } });
    const hours = domainPolicyFrom(c).openingHours;
    expect(hours?.mon).toEqual([
      { startMinute: 510, endMinute: 720 },
      { startMinute: 810, endMinute: 1080 },
    ]);
    expect(hours?.sun).toEqual([]);
    expect(hours?.tue).toEqual([{ startMinute: 0, endMinute: 1440 }]);
  });

  it('refuses a bad range with one line naming the key, the value and what is expected', () => {
    const run = () => resolveConfig({ env: { EPNBOX_OPENING_HOURS_TUE: '8h-12h' } });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      'config: invalid value for openingHours.tue (from EPNBOX_OPENING_HOURS_TUE): "8h-12h"; expected "HH:MM-HH:MM" ranges in order, comma separated, such as "08:30-12:00,13:30-18:00" (empty: closed)',
    );
    expect(() => resolveConfig({ file: { openingHours: { fri: '14:00-12:00' } }, fileName: 'epnbox.json' })).toThrow(
      /openingHours\.fri \(from epnbox\.json\): "14:00-12:00"/,
    );
  });
});
