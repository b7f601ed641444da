import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/load-config.ts';
import { bootFileByMac, fullModeSettings, httpBaseUrl, NetbootConfigError, replyDelayByMac } from './netboot-settings.ts';

const lan = { address: '10.0.0.1', cidr: '10.0.0.1/24' };

function netboot(env: Record<string, string> = {}) {
  return resolveConfig({ env: { EPNBOX_NETBOOT_ENABLED: 'true', ...env } }).netboot;
}

describe('netboot settings from the configuration', () => {
  it('defaults: proxy DHCP, Debian iPXE binaries and TFTP root, nftables guard', () => {
    const config = netboot();
    expect(config.dhcp.mode).toBe('proxy');
    expect(config.dhcp.interfaceGuard).toBe('nftables');
    expect(config.tftp).toEqual({ root: '/usr/lib/ipxe', maxBlockSize: 1468, answerSpinMicros: 100 });
    expect([config.biosBootFile, config.uefiBootFile]).toEqual(['undionly.kpxe', 'snponly.efi']);
    expect(resolveConfig({ env: {} }).netboot.enabled).toBe(false);
  });

  it('reads the per-MAC quirks in any MAC notation', () => {
    const config = netboot({ EPNBOX_NETBOOT_BOOT_FILE_BY_MAC: 'AA-BB-CC-00-11-22=ipxe.efi, 52:54:00:00:00:01 = undionly.kkpxe', EPNBOX_NETBOOT_DHCP_REPLY_DELAY_BY_MAC: 'aabb.cc00.1122=1500' });
    expect(bootFileByMac(config)).toEqual({ 'aa:bb:cc:00:11:22': 'ipxe.efi', '52:54:00:00:00:01': 'undionly.kkpxe' });
    expect(replyDelayByMac(config)).toEqual({ 'aa:bb:cc:00:11:22': 1500 });
    expect(bootFileByMac(netboot())).toEqual({});
  });

  it.each([
    [{ EPNBOX_NETBOOT_BOOT_FILE_BY_MAC: 'ipxe.efi' }, /bootFileByMac: "ipxe.efi" is not mac=value/],
    [{ EPNBOX_NETBOOT_BOOT_FILE_BY_MAC: 'zz:bb:cc:00:11:22=ipxe.efi' }, /bootFileByMac: "zz:bb:cc:00:11:22" is not a MAC address/],
    [{ EPNBOX_NETBOOT_DHCP_REPLY_DELAY_BY_MAC: 'aa:bb:cc:00:11:22=soon' }, /"soon" is not a delay in ms/],
    [{ EPNBOX_NETBOOT_DHCP_REPLY_DELAY_BY_MAC: 'aa:bb:cc:00:11:22=20000' }, /"20000" is not a delay in ms from 0 to 10000/],
  ])('refuses a bad quirk %o with a clear message', (env, message) => {
    const config = netboot(env);
    expect(() => {
      bootFileByMac(config);
      replyDelayByMac(config);
    }).toThrow(message);
  });

  it('builds the full-mode pool on the interface subnet with the lease file in dataDir', () => {
    const config = netboot({ EPNBOX_NETBOOT_DHCP_MODE: 'full', EPNBOX_NETBOOT_DHCP_RANGE_START: '10.0.0.100', EPNBOX_NETBOOT_DHCP_RANGE_END: '10.0.0.150', EPNBOX_NETBOOT_DHCP_DNS_SERVERS: '10.0.0.1, 9.9.9.9' });
    expect(fullModeSettings(config, lan, '/var/lib/epnbox')).toEqual({
      subnets: [{ cidr: '10.0.0.1/24', rangeStart: '10.0.0.100', rangeEnd: '10.0.0.150', dnsServers: ['10.0.0.1', '9.9.9.9'] }],
      leaseFile: '/var/lib/epnbox/dhcp-leases.json',
      leaseSeconds: 3600,
    });
  });

  it('refuses full mode without a range, and a router that is not an address', () => {
    expect(() => fullModeSettings(netboot({ EPNBOX_NETBOOT_DHCP_MODE: 'full' }), lan, '/d')).toThrow(/set netboot.dhcp.rangeStart and netboot.dhcp.rangeEnd/);
    const config = netboot({ EPNBOX_NETBOOT_DHCP_MODE: 'full', EPNBOX_NETBOOT_DHCP_RANGE_START: '10.0.0.100', EPNBOX_NETBOOT_DHCP_RANGE_END: '10.0.0.150', EPNBOX_NETBOOT_DHCP_ROUTERS: 'gateway' });
    expect(() => fullModeSettings(config, lan, '/d')).toThrow(new NetbootConfigError('config: netboot.dhcp.routers: "gateway" is not an IPv4 address'));
  });

  it('derives the HTTP boot URL from the LAN address and the port, or takes the configured one', () => {
    expect(httpBaseUrl(netboot(), lan, { host: '0.0.0.0', port: 8080 })).toBe('http://10.0.0.1:8080');
    expect(httpBaseUrl(netboot({ EPNBOX_NETBOOT_HTTP_BASE_URL: 'http://boot.epn.lan/' }), lan, { host: '127.0.0.1', port: 8080 })).toBe('http://boot.epn.lan');
  });

  it('refuses a panel on loopback (stations could not reach it) and a non-HTTP base URL', () => {
    expect(() => httpBaseUrl(netboot(), lan, { host: '127.0.0.1', port: 8080 })).toThrow(/http.host is 127.0.0.1, which stations cannot reach/);
    expect(() => httpBaseUrl(netboot({ EPNBOX_NETBOOT_HTTP_BASE_URL: 'https://box' }), lan, { host: '0.0.0.0', port: 1 })).toThrow(/must start with http:\/\//);
    expect(() => httpBaseUrl(netboot({ EPNBOX_NETBOOT_HTTP_BASE_URL: 'box:80' }), lan, { host: '0.0.0.0', port: 1 })).toThrow(/must start with http:\/\/|is not a URL/);
  });
});
