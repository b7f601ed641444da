import { describe, expect, it } from 'vitest';
import { bootBaseUrl } from './base-url.ts';

const from = (configured: string, host: string | undefined, localAddress = '10.0.0.1', localPort = 8080) => bootBaseUrl({ configured, host, localAddress, localPort });

describe('bootBaseUrl', () => {
  it('prefers the configured URL, without trailing slash', () => {
    expect(from('http://boot.epn.local:8080/', '1.2.3.4')).toBe('http://boot.epn.local:8080');
  });

  it('echoes a plain Host header (name, IPv4 or bracketed IPv6, with port)', () => {
    expect(from('', '10.0.0.1:8080')).toBe('http://10.0.0.1:8080');
    expect(from('', 'epnbox')).toBe('http://epnbox');
    expect(from('', '[fd00::1]:8080')).toBe('http://[fd00::1]:8080');
  });

  it('falls back to the socket address when the Host header could break a script', () => {
    for (const host of ['evil || shell', 'a b', 'x/y', '${net0/ip}', '', undefined]) expect(from('', host)).toBe('http://10.0.0.1:8080');
    expect(from('', undefined, '::ffff:192.168.1.2', 80)).toBe('http://192.168.1.2');
    expect(from('', undefined, 'fd00::2', 8080)).toBe('http://[fd00::2]:8080');
  });
});
