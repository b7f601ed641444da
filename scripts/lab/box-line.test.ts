import { describe, expect, it } from 'vitest';
import { boxLine } from './box-line.ts';

describe('the lab shows one short line per boot step', () => {
  it('keeps netboot steps with their MAC, boot scripts and /boot requests; drops other logs', () => {
    expect(boxLine(JSON.stringify({ level: 30, subsystem: 'netboot:dhcp', mac: '52:54:00:00:00:01', msg: 'ACK sent', bootFile: 'snponly.efi', ip: '10.66.0.100' }))).toBe(
      '52:54:00:00:00:01 ACK sent bootFile=snponly.efi ip=10.66.0.100',
    );
    expect(boxLine(JSON.stringify({ level: 30, boot: { mac: '52:54:00:00:00:01', image: 'lab-marker 1' }, msg: 'boot script: boot' }))).toBe('52:54:00:00:00:01 boot script: boot (lab-marker 1)');
    expect(boxLine(JSON.stringify({ level: 30, req: { method: 'GET', url: '/boot/images/a/1/vmlinuz', remoteAddress: '10.66.0.100' }, msg: 'incoming request' }))).toBe('10.66.0.100 GET /boot/images/a/1/vmlinuz');
    expect(boxLine(JSON.stringify({ level: 30, subsystem: 'jobs', msg: 'job silentStations done' }))).toBeUndefined();
    expect(boxLine('epnbox: panel and API on http://127.0.0.1:8080 (netboot on)')).toBe('epnbox: panel and API on http://127.0.0.1:8080 (netboot on)');
    expect(boxLine('')).toBeUndefined();
  });
});
