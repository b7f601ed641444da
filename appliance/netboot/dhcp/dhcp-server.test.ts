import { afterEach, describe, expect, it, vi } from 'vitest';
import { createArchBootPolicy } from './arch-boot-policy.ts';
import type { BootClient } from './boot-policy.ts';
import { MessageType } from './dhcp-constants.ts';
import { encodeDhcp } from './dhcp-encode.ts';
import { fixtureNames, readFixture } from './fixtures/read-fixture.ts';
import { clientPacket } from './testing/client-packets.ts';
import { fuzzDatagrams } from './testing/fuzz-datagrams.ts';
import { BOX, startHarness, type Harness } from './testing/server-harness.ts';

const MAC = '52:54:00:aa:bb:cc';
const harnesses: Harness[] = [];
async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const h of harnesses.splice(0)) await h.server.close();
});

describe('server robustness', () => {
  it('drops 20,000 random and mutated datagrams with rate-limited logs and still answers', async () => {
    const h = await harness();
    const seeds = fixtureNames.map(readFixture);
    for (const datagram of fuzzDatagrams(seeds, 20_000, 42)) await h.sendBytes(datagram);
    expect(h.server.stats.malformed).toBeGreaterThan(9_000);
    // Logs are capped per second of the (frozen) clock: a flood cannot flood the log.
    expect(h.logger.lines.filter((l) => l.message === 'malformed datagram dropped').length).toBeLessThanOrEqual(5);
    const offer = await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 7 });
    expect(offer?.packet.file).toBe('snponly.efi');
  });

  it('logs a failed send and carries on', async () => {
    const h = await harness();
    h.transport.failSends = true;
    await h.ask(MessageType.DISCOVER, { mac: MAC });
    expect(h.logger.lines.some((l) => l.level === 'error' && l.message === 'request handling failed')).toBe(true);
    h.transport.failSends = false;
    expect(await h.ask(MessageType.DISCOVER, { mac: MAC })).toBeDefined();
  });

  it('ignores replies from other servers and its own broadcasts', async () => {
    const h = await harness();
    expect(await h.sendBytes(readFixture('dnsmasq-offer'))).toEqual([]);
    expect(h.server.stats.malformed).toBe(0);
  });

  it('ignores plain BOOTP and non-Ethernet requests, with a log line', async () => {
    const h = await harness();
    const bootp = clientPacket(MessageType.DISCOVER, { mac: MAC });
    bootp.options.clear();
    expect(await h.send(bootp)).toEqual([]);
    const infiniband = { ...clientPacket(MessageType.DISCOVER, { mac: MAC }), htype: 32, hlen: 0 };
    expect(await h.send(infiniband)).toEqual([]);
    expect(h.server.stats.malformed).toBe(2);
  });

  it('refuses full mode without pool settings, and pools outside the box subnet', async () => {
    await expect(startHarness({ full: undefined })).rejects.toThrow(/pool settings/);
    await expect(startHarness({ full: { subnets: [{ cidr: '10.99.0.0/24', rangeStart: '10.99.0.10', rangeEnd: '10.99.0.20' }] } })).rejects.toThrow(/box address/);
    await expect(startHarness({ full: { subnets: [{ cidr: '10.10.0.0/24', rangeStart: '10.10.1.10', rangeEnd: '10.10.1.20' }] } })).rejects.toThrow(/not inside/);
  });
});

describe('enrollment hook', () => {
  it('reports booting machines (PXE or iPXE) and not other DHCP clients', async () => {
    const seen: BootClient[] = [];
    const h = await harness({ policy: createArchBootPolicy({ httpBaseUrl: `http://${BOX}`, onClientSeen: (c) => void seen.push(c) }) });
    await h.sendBytes(readFixture('edk2-pxe-discover'));
    await h.sendBytes(readFixture('udhcpc-discover'));
    expect(seen).toEqual([expect.objectContaining({ mac: '52:54:00:12:34:56', arch: 7, isIpxe: false, vendorClass: 'PXEClient:Arch:00007:UNDI:003000' })]);
  });

  it('answers even when the hook fails or throws', async () => {
    const rejecting = await harness({ policy: { bootFor: () => ({ bootFile: 'a' }), onClientSeen: () => Promise.reject(new Error('db down')) } });
    expect(await rejecting.ask(MessageType.DISCOVER, { mac: MAC, arch: 0 })).toBeDefined();
    const throwing = await harness({ policy: { bootFor: () => ({ bootFile: 'a' }), onClientSeen: () => { throw new Error('bug'); } } });
    expect(await throwing.ask(MessageType.DISCOVER, { mac: MAC, arch: 0 })).toBeDefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rejecting.logger.lines.some((l) => l.message === 'onClientSeen failed' && l.fields.err === 'db down')).toBe(true);
    expect(throwing.logger.lines.some((l) => l.message === 'onClientSeen failed' && l.fields.err === 'bug')).toBe(true);
  });
});

describe('firmware quirks', () => {
  it('delays replies to the MACs configured for it', async () => {
    vi.useFakeTimers();
    const h = await harness({ replyDelayByMac: { [MAC]: 500 } });
    const pending = h.server.handle({ data: encodeDhcp(clientPacket(MessageType.DISCOVER, { mac: MAC })), from: { address: '0.0.0.0', port: 68 }, via: 'dhcp' });
    await vi.advanceTimersByTimeAsync(499);
    expect(h.transport.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(h.transport.sent).toHaveLength(1);
    // Other MACs are not delayed.
    expect(await h.ask(MessageType.DISCOVER, { mac: '52:54:00:00:00:01' })).toBeDefined();
  });
});
