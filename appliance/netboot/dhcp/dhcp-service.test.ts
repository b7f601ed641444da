import { describe, expect, it } from 'vitest';
import { createArchBootPolicy } from './arch-boot-policy.ts';
import { DhcpStartError, startDhcpService } from './dhcp-service.ts';
import { interfaceIpv4 } from './interface-address.ts';
import type { CommandRunner } from './nft-guard.ts';
import { memoryLogger } from './testing/memory-logger.ts';

const policy = createArchBootPolicy({ httpBaseUrl: 'http://127.0.0.1' });
const full = { subnets: [{ cidr: '127.0.0.0/8', rangeStart: '127.0.0.100', rangeEnd: '127.0.0.200' }] };

function recorder(): { commands: string[]; run: CommandRunner } {
  const commands: string[] = [];
  return {
    commands,
    run: async (_cmd, args) => {
      commands.push(args.join(' '));
      if (args.includes('-j')) throw new Error('Error: No such file or directory');
      return '';
    },
  };
}

describe('startDhcpService (refusals before any socket opens)', () => {
  it('refuses full mode when another server answers, naming it, and removes its guard', async () => {
    const logger = memoryLogger();
    const commands: string[] = [];
    const run: CommandRunner = async (_cmd, args) => {
      commands.push(args.join(' '));
      return args.includes('-j') ? guardListing('lo') : '';
    };
    const probe = async () => ({ found: true as const, serverId: '127.0.0.9', from: '127.0.0.9', offered: '127.0.0.150' });
    await expect(startDhcpService({ mode: 'full', interfaceName: 'lo', full }, { policy, logger, run, probe })).rejects.toThrow(
      /another DHCP server \(127\.0\.0\.9\) answers on lo; full mode refused/,
    );
    expect(commands.at(-1)).toBe('delete table inet epnbox_dhcp');
    expect(logger.lines.some((l) => l.level === 'error' && l.fields.otherServer === '127.0.0.9')).toBe(true);
  });

  it('refuses to start when the guard cannot be verified', async () => {
    const r = recorder();
    await expect(startDhcpService({ mode: 'proxy', interfaceName: 'lo' }, { policy, run: r.run })).rejects.toBeInstanceOf(DhcpStartError);
  });

  it('refuses an interface that does not exist', async () => {
    await expect(startDhcpService({ mode: 'proxy', interfaceName: 'nosuchif0', interfaceGuard: 'none' }, { policy })).rejects.toThrow(/does not exist/);
  });
});

describe('interfaceIpv4', () => {
  it('reads the address and prefix of an interface', () => {
    expect(interfaceIpv4('lo').cidr).toBe('127.0.0.1/8');
  });

  it('refuses an interface without IPv4', () => {
    const list = { eth9: [{ address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 }] };
    expect(() => interfaceIpv4('eth9', list)).toThrow(/no IPv4 address/);
  });
});

function guardListing(iface: string): string {
  return JSON.stringify({
    nftables: [
      { chain: { name: 'input', hook: 'input' } },
      {
        rule: {
          chain: 'input',
          expr: [
            { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: { set: [67, 4011] } } },
            { match: { op: '!=', left: { meta: { key: 'iifname' } }, right: iface } },
            { drop: null },
          ],
        },
      },
    ],
  });
}
