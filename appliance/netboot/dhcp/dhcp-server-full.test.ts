import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, MIN_BOOTP_LENGTH, Opt } from './dhcp-constants.ts';
import { readIp, readIps, readText, readU32, readU8 } from './dhcp-options.ts';
import type { DhcpPacket } from './dhcp-packet.ts';
import { readFixture } from './fixtures/read-fixture.ts';
import { BOX, localSubnet, startHarness, type Harness } from './testing/server-harness.ts';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const type = (p: DhcpPacket | undefined) => readU8(p?.options.get(Opt.MESSAGE_TYPE));

const harnesses: Harness[] = [];
const dirs: string[] = [];
async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  harnesses.push(h);
  return h;
}
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'epnbox-dhcp-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    // npm dhcp sent replies under 300 bytes: every reply of every test is checked here.
    for (const sent of h.transport.sent) expect(sent.bytes.length).toBeGreaterThanOrEqual(MIN_BOOTP_LENGTH);
    await h.server.close();
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lease(h: Harness, mac: string): Promise<string> {
  const offer = await h.ask(MessageType.DISCOVER, { mac });
  const ip = offer!.packet.yiaddr;
  const ack = await h.ask(MessageType.REQUEST, { mac, requestedIp: ip, serverId: BOX });
  expect(type(ack?.packet)).toBe(MessageType.ACK);
  return ip;
}

describe('full mode: DISCOVER / OFFER / REQUEST / ACK', () => {
  it('offers an address with the network options to a real udhcpc DISCOVER, broadcast to 255.255.255.255', async () => {
    const h = await harness();
    const [offer] = await h.sendBytes(readFixture('udhcpc-discover'));
    const p = offer!.packet;
    expect(type(p)).toBe(MessageType.OFFER);
    expect(offer!.to).toEqual({ address: '255.255.255.255', port: 68 });
    expect(p.yiaddr).toMatch(/^10\.10\.0\.1\d\d$/);
    expect(readIp(p.options.get(Opt.SERVER_ID))).toBe(BOX);
    expect(readIp(p.options.get(Opt.SUBNET_MASK))).toBe('255.255.255.0');
    expect(readIps(p.options.get(Opt.ROUTER))).toEqual([BOX]);
    expect(readIps(p.options.get(Opt.DNS))).toEqual([BOX]);
    expect(readIp(p.options.get(Opt.BROADCAST))).toBe('10.10.0.255');
    expect(readU32(p.options.get(Opt.LEASE_TIME))).toBe(3600);
    expect(readU32(p.options.get(Opt.RENEWAL_TIME))).toBe(1800);
    expect(readU32(p.options.get(Opt.REBINDING_TIME))).toBe(3150);
    expect(p.file).toBe('');
  });

  it('ACKs the offered address and keeps the lease', async () => {
    const h = await harness();
    const ip = await lease(h, A);
    expect(h.server.leases!.leaseAt(ip)).toMatchObject({ mac: A });
    expect(h.logger.lines.map((l) => l.message)).toEqual(expect.arrayContaining(['DISCOVER received', 'OFFER sent', 'REQUEST received', 'ACK sent']));
  });

  it('answers EDK2, whose parameter list asks for options 50 and 60 (npm dhcp threw here)', async () => {
    const h = await harness();
    const [offer] = await h.sendBytes(readFixture('edk2-pxe-discover'));
    const p = offer!.packet;
    expect(p.file).toBe('snponly.efi');
    expect(p.siaddr).toBe(BOX);
    expect(readText(p.options.get(Opt.VENDOR_CLASS))).toBe('PXEClient');
    expect(p.options.has(Opt.VENDOR_SPECIFIC)).toBe(false);
    expect(p.options.get(Opt.CLIENT_MACHINE_ID)).toEqual(Buffer.concat([Buffer.from([0]), Buffer.alloc(16)]));
    expect(offer!.to.address).toBe('255.255.255.255');
  });

  it('answers the port-4011 REQUEST EDK2 sends after the OFFER as boot server only, binding nothing', async () => {
    const h = await harness();
    const from = { address: '10.10.0.111', port: 4011 };
    const [ack] = await h.sendBytes(readFixture('edk2-pxe-request-4011'), from, 'pxe');
    expect(type(ack?.packet)).toBe(MessageType.ACK);
    expect(ack!.to).toEqual(from);
    expect(ack!.packet.yiaddr).toBe('0.0.0.0');
    expect(ack!.packet.file).toBe('snponly.efi');
    expect(ack!.packet.options.has(Opt.LEASE_TIME)).toBe(false);
    expect(h.server.leases!.leasesOf('52:54:00:12:34:56')).toEqual([]);
  });

  it('gives iPXE the HTTP script URL instead of a binary, so it never loops', async () => {
    const h = await harness();
    const [offer] = await h.sendBytes(readFixture('ipxe-bios-discover'));
    expect(offer!.packet.file).toBe(`http://${BOX}/boot/ipxe?mac=52:54:00:12:34:57&arch=bios`);
    expect(offer!.packet.options.has(Opt.VENDOR_SPECIFIC)).toBe(false);
  });

  it.each([
    [0, 'undionly.kpxe', true],
    [7, 'snponly.efi', false],
    [9, 'snponly.efi', false],
  ])('arch %i boots %s (option 43: %s)', async (arch, file, has43) => {
    const h = await harness();
    const offer = await h.ask(MessageType.DISCOVER, { mac: A, arch });
    expect(offer!.packet.file).toBe(file);
    expect(offer!.packet.options.has(Opt.VENDOR_SPECIFIC)).toBe(has43);
    if (has43) expect(offer!.packet.options.get(Opt.VENDOR_SPECIFIC)).toEqual(Buffer.from([6, 1, 8, 255]));
  });

  it('stays silent on a REQUEST naming another server and frees its offer (npm dhcp ACKed it)', async () => {
    const h = await harness();
    const offer = await h.ask(MessageType.DISCOVER, { mac: A });
    const answer = await h.ask(MessageType.REQUEST, { mac: A, requestedIp: offer!.packet.yiaddr, serverId: '10.10.0.254' });
    expect(answer).toBeUndefined();
    expect(h.server.leases!.offeredTo(A)).toBeUndefined();
    expect(h.server.leases!.leaseAt(offer!.packet.yiaddr)).toBeUndefined();
  });

  it('NAKs, by broadcast, an address from another network (npm dhcp never NAKed)', async () => {
    const h = await harness();
    const nak = await h.ask(MessageType.REQUEST, { mac: A, requestedIp: '192.168.1.50' });
    expect(type(nak?.packet)).toBe(MessageType.NAK);
    expect(nak!.to).toEqual({ address: '255.255.255.255', port: 68 });
    expect(nak!.packet.yiaddr).toBe('0.0.0.0');
    expect(nak!.packet.options.has(Opt.LEASE_TIME)).toBe(false);
  });

  it('NAKs an address another client holds', async () => {
    const h = await harness();
    const ip = await lease(h, A);
    const nak = await h.ask(MessageType.REQUEST, { mac: B, requestedIp: ip, serverId: BOX });
    expect(type(nak?.packet)).toBe(MessageType.NAK);
  });

  it('ACKs a renewal by unicast to the client address', async () => {
    const h = await harness();
    const ip = await lease(h, A);
    h.clock.advance(1800_000);
    const ack = await h.ask(MessageType.REQUEST, { mac: A, ciaddr: ip }, { address: ip, port: 68 });
    expect(type(ack?.packet)).toBe(MessageType.ACK);
    expect(ack!.to).toEqual({ address: ip, port: 68 });
    expect(h.server.leases!.leaseAt(ip)!.expiresAt).toBe(h.clock.now() + 3600_000);
  });

  it('ACKs INIT-REBOOT for a free address of its own subnet', async () => {
    const h = await harness();
    const ack = await h.ask(MessageType.REQUEST, { mac: A, requestedIp: '10.10.0.150' });
    expect(type(ack?.packet)).toBe(MessageType.ACK);
    expect(ack!.packet.yiaddr).toBe('10.10.0.150');
  });
});

describe('full mode: pool, expiry, persistence', () => {
  const tiny = { cidr: '10.10.0.0/24', rangeStart: '10.10.0.100', rangeEnd: '10.10.0.101' };

  it('leaves a DISCOVER unanswered with one log line when the pool is full, and keeps serving (npm dhcp spun at 100% CPU)', async () => {
    const h = await harness({ full: { subnets: [tiny] } });
    await lease(h, A);
    const ipB = await lease(h, B);
    for (const mac of [C, '02:00:00:00:00:0d', '02:00:00:00:00:0e']) expect(await h.ask(MessageType.DISCOVER, { mac })).toBeUndefined();
    // One line per 10 s: spoofed DISCOVERs against a full pool must not flood the log.
    expect(h.logger.lines.filter((l) => l.message.startsWith('pool exhausted'))).toHaveLength(1);
    h.clock.advance(10_000);
    expect(await h.ask(MessageType.DISCOVER, { mac: C })).toBeUndefined();
    expect(h.logger.lines.filter((l) => l.message.startsWith('pool exhausted')).at(-1)?.fields.unansweredSinceLastLine).toBe(2);
    const renewal = await h.ask(MessageType.REQUEST, { mac: B, ciaddr: ipB });
    expect(type(renewal?.packet)).toBe(MessageType.ACK);
  });

  it('hands an expired lease to another client (npm dhcp never expired leases)', async () => {
    const h = await harness({ full: { subnets: [{ ...tiny, rangeEnd: tiny.rangeStart }], leaseSeconds: 600 } });
    const ip = await lease(h, A);
    expect(await h.ask(MessageType.DISCOVER, { mac: B })).toBeUndefined();
    h.clock.advance(600_001);
    const offer = await h.ask(MessageType.DISCOVER, { mac: B });
    expect(offer!.packet.yiaddr).toBe(ip);
  });

  it('keeps leases across a restart through the lease file (npm dhcp never persisted)', async () => {
    const dir = await tempDir();
    const leaseFile = join(dir, 'leases.json');
    const full = { subnets: [{ ...tiny, rangeEnd: tiny.rangeStart }], leaseFile };
    const first = await harness({ full });
    const ip = await lease(first, A);
    await first.server.close();
    expect(JSON.parse(await readFile(leaseFile, 'utf8'))).toMatchObject({ version: 1, leases: [{ mac: A, ip }] });
    expect(await readdir(dir)).toEqual(['leases.json']);

    const second = await harness({ full });
    expect(await second.ask(MessageType.DISCOVER, { mac: B })).toBeUndefined();
    const ack = await second.ask(MessageType.REQUEST, { mac: A, requestedIp: ip });
    expect(type(ack?.packet)).toBe(MessageType.ACK);
  });

  it('moves an unreadable lease file aside and starts empty', async () => {
    const dir = await tempDir();
    const leaseFile = join(dir, 'leases.json');
    await writeFile(leaseFile, '{"version":1,"leases":[{"mac":');
    const h = await harness({ full: { subnets: [localSubnet], leaseFile } });
    expect(h.logger.lines.some((l) => l.level === 'error' && l.message.startsWith('lease file unreadable'))).toBe(true);
    expect((await readdir(dir)).some((f) => f.startsWith('leases.json.corrupt-'))).toBe(true);
    await lease(h, A);
  });

  it('refuses to start when the lease file exists but cannot be read', async () => {
    const dir = await tempDir();
    await expect(startHarness({ full: { subnets: [localSubnet], leaseFile: dir } })).rejects.toThrow(/cannot read the lease file/);
  });

  it('withholds the ACK when the lease cannot be written, and loses no lease once it can', async () => {
    const dir = await tempDir();
    const leaseDir = join(dir, 'state');
    await mkdir(leaseDir);
    const h = await harness({ full: { subnets: [localSubnet], leaseFile: join(leaseDir, 'leases.json') } });
    const offer = await h.ask(MessageType.DISCOVER, { mac: A });
    await rm(leaseDir, { recursive: true });
    expect(await h.ask(MessageType.REQUEST, { mac: A, requestedIp: offer!.packet.yiaddr, serverId: BOX })).toBeUndefined();
    expect(h.logger.lines.some((l) => l.level === 'error' && l.message.includes('ACK withheld'))).toBe(true);
    await mkdir(leaseDir);
    const ack = await h.ask(MessageType.REQUEST, { mac: A, requestedIp: offer!.packet.yiaddr, serverId: BOX });
    expect(type(ack?.packet)).toBe(MessageType.ACK);
    const saved = JSON.parse(await readFile(join(leaseDir, 'leases.json'), 'utf8')) as { leases: Array<{ mac: string }> };
    expect(saved.leases.map((l) => l.mac)).toEqual([A]);
  });

  it('keeps a declined address out of the pool for the hold time', async () => {
    const h = await harness({ full: { subnets: [{ ...tiny, rangeEnd: tiny.rangeStart }], declineHoldSeconds: 300 } });
    const ip = await lease(h, A);
    expect(await h.ask(MessageType.DECLINE, { mac: A, requestedIp: ip, serverId: BOX })).toBeUndefined();
    expect(await h.ask(MessageType.DISCOVER, { mac: B })).toBeUndefined();
    h.clock.advance(300_001);
    expect((await h.ask(MessageType.DISCOVER, { mac: B }))!.packet.yiaddr).toBe(ip);
  });

  it('frees a released address for the next client', async () => {
    const h = await harness({ full: { subnets: [{ ...tiny, rangeEnd: tiny.rangeStart }] } });
    const ip = await lease(h, A);
    expect(await h.ask(MessageType.RELEASE, { mac: A, ciaddr: ip, serverId: BOX })).toBeUndefined();
    expect((await h.ask(MessageType.DISCOVER, { mac: B }))!.packet.yiaddr).toBe(ip);
  });

  it('answers INFORM with configuration only, unicast to the client', async () => {
    const h = await harness();
    const ack = await h.ask(MessageType.INFORM, { mac: A, ciaddr: '10.10.0.7' }, { address: '10.10.0.7', port: 68 });
    expect(type(ack?.packet)).toBe(MessageType.ACK);
    expect(ack!.packet.yiaddr).toBe('0.0.0.0');
    expect(ack!.packet.options.has(Opt.LEASE_TIME)).toBe(false);
    expect(readIps(ack!.packet.options.get(Opt.DNS))).toEqual([BOX]);
    expect(ack!.to).toEqual({ address: '10.10.0.7', port: 68 });
  });

  it('gives a static lease its fixed address and name, and that address to nobody else', async () => {
    const h = await harness({ full: { subnets: [{ ...tiny, rangeEnd: tiny.rangeStart }], staticLeases: [{ mac: '02-00-00-00-00-0A', ip: '10.10.0.20', hostname: 'poste-01' }] } });
    const offer = await h.ask(MessageType.DISCOVER, { mac: A });
    expect(offer!.packet.yiaddr).toBe('10.10.0.20');
    expect(readText(offer!.packet.options.get(Opt.HOSTNAME))).toBe('poste-01');
    const nak = await h.ask(MessageType.REQUEST, { mac: B, requestedIp: '10.10.0.20' });
    expect(type(nak?.packet)).toBe(MessageType.NAK);
  });
});

describe('full mode: relays (giaddr)', () => {
  it('serves the relay subnet and answers the relay on port 67 with option 82 echoed (npm dhcp ignored giaddr)', async () => {
    const h = await harness();
    const relayInfo = Buffer.from([1, 4, 0x65, 0x74, 0x68, 0x31]);
    const offer = await h.ask(MessageType.DISCOVER, { mac: A, giaddr: '10.20.0.1', relayAgentInfo: relayInfo }, { address: '10.20.0.1', port: 67 });
    expect(offer!.to).toEqual({ address: '10.20.0.1', port: 67 });
    expect(offer!.packet.yiaddr).toMatch(/^10\.20\.0\.(5\d|60)$/);
    expect(offer!.packet.giaddr).toBe('10.20.0.1');
    expect(readIps(offer!.packet.options.get(Opt.ROUTER))).toEqual(['10.20.0.1']);
    expect(offer!.packet.options.get(Opt.RELAY_AGENT_INFO)).toEqual(relayInfo);
  });

  it('sets the broadcast bit on a NAK through a relay', async () => {
    const h = await harness();
    const nak = await h.ask(MessageType.REQUEST, { mac: A, giaddr: '10.20.0.1', requestedIp: '10.10.0.150' });
    expect(type(nak?.packet)).toBe(MessageType.NAK);
    expect(nak!.packet.flags & 0x8000).toBe(0x8000);
    expect(nak!.to).toEqual({ address: '10.20.0.1', port: 67 });
  });

  it('ignores a relay from a subnet it does not serve', async () => {
    const h = await harness();
    expect(await h.ask(MessageType.DISCOVER, { mac: A, giaddr: '172.16.9.1' })).toBeUndefined();
  });
});
