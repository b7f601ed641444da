import { describe, expect, it } from 'vitest';
import { macForIp, macFromArpTable } from './neighbour-mac.ts';

const table = [
  'IP address       HW type     Flags       HW address            Mask     Device',
  '10.66.0.178      0x1         0x2         52:54:00:66:00:01     *        stations',
  '10.66.0.179      0x1         0x0         00:00:00:00:00:00     *        stations',
  '',
].join('\n');

describe('MAC of a station address from the neighbour table', () => {
  it('finds a complete entry and ignores incomplete ones', () => {
    expect(macFromArpTable(table, '10.66.0.178')).toBe('52:54:00:66:00:01');
    expect(macFromArpTable(table, '10.66.0.179')).toBeUndefined();
    expect(macFromArpTable(table, '10.66.0.1')).toBeUndefined();
  });

  it('answers undefined when the table cannot be read', async () => {
    expect(await macForIp('10.66.0.178', async () => table)).toBe('52:54:00:66:00:01');
    expect(await macForIp('10.66.0.178', () => Promise.reject(new Error('EACCES')))).toBeUndefined();
  });
});
