import type { ChildProcess } from 'node:child_process';
import { NetnsLab } from '../../test/support/netns.ts';

/** Addresses that exist only inside the lab's own namespace (never on a real interface). */
export const LAB_NET = {
  bridge: 'stations',
  boxIp: '10.66.0.1',
  prefix: 24,
  rangeStart: '10.66.0.100',
  rangeEnd: '10.66.0.199',
  /** Proxy mode: the LAN's router and its DHCP pool. */
  routerIp: '10.66.0.254',
  routerRangeStart: '10.66.0.50',
  routerRangeEnd: '10.66.0.90',
  /** A ULA prefix, only so dnsmasq can send router adverts (iPXE otherwise waits ~13 s on IPv6). */
  boxIp6: 'fd66:e9b0::1',
  httpPort: 8080,
} as const;

export interface LabNetwork {
  lab: NetnsLab;
  /** The box's namespace: bridge `stations` with the box's address, the taps of the stations. */
  box: string;
  /** Creates a tap on the bridge for one QEMU station; returns its name. */
  addTap(): Promise<string>;
  /**
   * The LAN's own router for proxy mode: namespace `router` on the bridge
   * (LAB_NET.routerIp) running dnsmasq as a plain DHCP server (addresses, no boot file).
   */
  addRouter(): Promise<void>;
  destroy(): Promise<void>;
}

/** dnsmasq with no DNS, no config file, no lease file, no pid file, in the foreground. */
const DNSMASQ_QUIET = ['--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts', '--leasefile-ro', '--pid-file='];

/**
 * The lab: one namespace (the box) holding a bridge with the box's address, taps for
 * QEMU stations (QEMU runs in the same namespace with `ip netns exec`), and dnsmasq
 * sending IPv6 router adverts only (no DHCP, no DNS). Nothing leaves the namespace.
 */
export async function createLabNetwork(prefix: string, options: { routerAdverts?: boolean } = {}): Promise<LabNetwork> {
  const lab = new NetnsLab(prefix);
  let taps = 0;
  const daemons: ChildProcess[] = [];
  const destroy = async () => {
    for (const daemon of daemons) await lab.stop(daemon);
    await lab.destroy();
  };
  try {
    const box = await lab.addNamespace('box');
    await lab.ip(box, 'link', 'add', LAB_NET.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    await lab.ip(box, 'addr', 'add', `${LAB_NET.boxIp}/${LAB_NET.prefix}`, 'dev', LAB_NET.bridge);
    await lab.ip(box, '-6', 'addr', 'add', `${LAB_NET.boxIp6}/64`, 'dev', LAB_NET.bridge, 'nodad');
    await lab.ip(box, 'link', 'set', LAB_NET.bridge, 'up');
    if (options.routerAdverts !== false) daemons.push(lab.spawn(box, 'dnsmasq', [
      ...DNSMASQ_QUIET,
      `--interface=${LAB_NET.bridge}`,
      '--bind-interfaces',
      '--enable-ra',
      `--dhcp-range=::,constructor:${LAB_NET.bridge},ra-only`,
    ], { stdio: 'ignore', detached: true }));
    return {
      lab,
      box,
      addTap: async () => {
        taps += 1;
        const tap = `tap${taps}`;
        await lab.ip(box, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
        await lab.ip(box, 'link', 'set', tap, 'master', LAB_NET.bridge);
        await lab.ip(box, 'link', 'set', tap, 'up');
        return tap;
      },
      addRouter: async () => {
        const router = await lab.addNamespace('router');
        await lab.ip(box, 'link', 'add', 'router0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', router);
        await lab.ip(box, 'link', 'set', 'router0', 'master', LAB_NET.bridge);
        await lab.ip(box, 'link', 'set', 'router0', 'up');
        await lab.ip(router, 'addr', 'add', `${LAB_NET.routerIp}/${LAB_NET.prefix}`, 'dev', 'eth0');
        await lab.ip(router, 'link', 'set', 'eth0', 'up');
        daemons.push(lab.spawn(router, 'dnsmasq', [
          ...DNSMASQ_QUIET,
          '--interface=eth0',
          '--bind-interfaces',
          `--dhcp-range=${LAB_NET.routerRangeStart},${LAB_NET.routerRangeEnd},255.255.255.0,1h`,
          '--dhcp-authoritative',
          // dnsmasq pings an address ~3 s before offering it; nothing else lives on this LAN.
          '--no-ping',
        ], { stdio: 'ignore', detached: true }));
      },
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
