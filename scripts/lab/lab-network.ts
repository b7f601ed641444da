import type { ChildProcess } from 'node:child_process';
import { NetnsLab } from '../../test/support/netns.ts';

/** Addresses that exist only inside the lab's own namespace (never on a real interface). */
export const LAB_NET = {
  bridge: 'stations',
  boxIp: '10.66.0.1',
  prefix: 24,
  rangeStart: '10.66.0.100',
  rangeEnd: '10.66.0.199',
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
  destroy(): Promise<void>;
}

/**
 * The lab: one namespace (the box) holding a bridge with the box's address, taps for
 * QEMU stations (QEMU runs in the same namespace with `ip netns exec`), and dnsmasq
 * sending IPv6 router adverts only (no DHCP, no DNS). Nothing leaves the namespace.
 */
export async function createLabNetwork(prefix: string): Promise<LabNetwork> {
  const lab = new NetnsLab(prefix);
  let taps = 0;
  let adverts: ChildProcess | undefined;
  const destroy = async () => {
    if (adverts) await lab.stop(adverts);
    await lab.destroy();
  };
  try {
    const box = await lab.addNamespace('box');
    await lab.ip(box, 'link', 'add', LAB_NET.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    await lab.ip(box, 'addr', 'add', `${LAB_NET.boxIp}/${LAB_NET.prefix}`, 'dev', LAB_NET.bridge);
    await lab.ip(box, '-6', 'addr', 'add', `${LAB_NET.boxIp6}/64`, 'dev', LAB_NET.bridge, 'nodad');
    await lab.ip(box, 'link', 'set', LAB_NET.bridge, 'up');
    adverts = lab.spawn(box, 'dnsmasq', [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--port=0',
      '--no-resolv',
      '--no-hosts',
      '--leasefile-ro',
      '--pid-file=',
      `--interface=${LAB_NET.bridge}`,
      '--bind-interfaces',
      '--enable-ra',
      `--dhcp-range=::,constructor:${LAB_NET.bridge},ra-only`,
    ], { stdio: 'ignore', detached: true });
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
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
