import { describe, expect, it } from 'vitest';
import { NetbootHealth } from './netboot-health.ts';
import type { NetbootStatus } from './netboot-service.ts';

const status: NetbootStatus = {
  interface: 'br0',
  serverIp: '10.0.0.1',
  dhcp: 'proxy',
  tftp: { address: '10.0.0.1', port: 69, root: '/var/lib/epnbox/tftp', source: '/usr/lib/ipxe', files: ['undionly.kpxe'] },
  httpBaseUrl: 'http://10.0.0.1:8080',
};

describe('NetbootHealth', () => {
  it('is off when netboot is disabled, and stays off', () => {
    const h = new NetbootHealth(false);
    h.stopped();
    expect(h.view).toEqual({ state: 'off' });
  });

  it('goes starting -> started (with what was bound) -> stopped', () => {
    const h = new NetbootHealth(true);
    expect(h.view).toEqual({ state: 'starting' });
    h.started(status);
    expect(h.view).toEqual({ state: 'started', dhcp: 'proxy', tftp: '10.0.0.1:69', httpBootUrl: 'http://10.0.0.1:8080' });
    h.stopped();
    expect(h.view).toEqual({ state: 'stopped' });
  });

  it('keeps the reason of a failure', () => {
    const h = new NetbootHealth(true);
    h.failed(new Error('netboot: interface "nosuchif0" does not exist'));
    expect(h.view).toEqual({ state: 'failed', reason: 'netboot: interface "nosuchif0" does not exist' });
    h.failed('plain');
    expect(h.view).toEqual({ state: 'failed', reason: 'plain' });
  });
});
