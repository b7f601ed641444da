import { describe, expect, it } from 'vitest';
import { guardPresent, NftGuard, type CommandRunner } from './nft-guard.ts';

// `nft -j list table inet epnbox_dhcp` from nftables 1.0.6 after install().
const listed = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'epnbox_dhcp', handle: 1 } },
    { chain: { family: 'inet', table: 'epnbox_dhcp', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
    {
      rule: {
        family: 'inet',
        table: 'epnbox_dhcp',
        chain: 'input',
        handle: 3,
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: { set: [67, 4011] } } },
          { match: { op: '!=', left: { meta: { key: 'iifname' } }, right: 'stations' } },
          { drop: null },
        ],
      },
    },
  ],
});

function recorder(listing: string): { calls: Array<{ args: string[]; input: string | undefined }>; run: CommandRunner } {
  const calls: Array<{ args: string[]; input: string | undefined }> = [];
  return {
    calls,
    run: async (_cmd, args, input) => {
      calls.push({ args, input });
      return args.includes('-j') ? listing : '';
    },
  };
}

describe('nftables interface guard', () => {
  it('replaces its own table in one transaction with a drop for every other interface', () => {
    const text = new NftGuard({ interfaceName: 'stations' }).ruleset();
    expect(text).toContain('table inet epnbox_dhcp\ndelete table inet epnbox_dhcp\n');
    expect(text).toContain('type filter hook input priority filter; policy accept;');
    expect(text).toContain('udp dport { 67, 4011 } iifname != "stations" drop');
  });

  it('installs through nft -f and reads the table back', async () => {
    const r = recorder(listed);
    await new NftGuard({ interfaceName: 'stations', run: r.run }).install();
    expect(r.calls.map((c) => c.args)).toEqual([['-f', '-'], ['-j', 'list', 'table', 'inet', 'epnbox_dhcp']]);
  });

  it('refuses to start when the rule read back is not the expected one', async () => {
    const r = recorder(listed.replace('"stations"', '"uplink"'));
    await expect(new NftGuard({ interfaceName: 'stations', run: r.run }).install()).rejects.toThrow(/does not hold the interface guard/);
  });

  it('recognises the guard only with all its parts', () => {
    expect(guardPresent(listed, 'stations', [67, 4011])).toBe(true);
    expect(guardPresent(listed, 'stations', [67])).toBe(false);
    expect(guardPresent(listed.replace('"drop": null', '"accept": null').replace('{"drop":null}', '{"accept":null}'), 'stations', [67, 4011])).toBe(false);
    expect(guardPresent('not json', 'stations', [67, 4011])).toBe(false);
  });

  it('rejects interface names that could inject nft syntax', () => {
    expect(() => new NftGuard({ interfaceName: 'eth0" accept; #' })).toThrow(/not a valid interface name/);
    expect(() => new NftGuard({ interfaceName: 'a-very-long-interface-name' })).toThrow(/not a valid interface name/);
  });
});
