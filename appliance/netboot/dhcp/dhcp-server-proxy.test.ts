import { afterEach, describe, expect, it } from 'vitest';
import { createArchBootPolicy } from './arch-boot-policy.ts';
import { MessageType, MIN_BOOTP_LENGTH, Opt } from './dhcp-constants.ts';
import { readIp, readText, readU8 } from './dhcp-options.ts';
import { readFixture } from './fixtures/read-fixture.ts';
import { BOX, startHarness, type Harness } from './testing/server-harness.ts';

const MAC = '52:54:00:aa:bb:cc';
const harnesses: Harness[] = [];

async function proxy(policy = createArchBootPolicy({ httpBaseUrl: `http://${BOX}` })): Promise<Harness> {
  const h = await startHarness({ mode: 'proxy', policy });
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    for (const sent of h.transport.sent) {
      expect(sent.bytes.length).toBeGreaterThanOrEqual(MIN_BOOTP_LENGTH);
      // proxyDHCP never hands out an address or lease (npm dhcp had no proxy mode at all).
      expect(sent.packet.yiaddr).toBe('0.0.0.0');
      expect(sent.packet.options.has(Opt.LEASE_TIME)).toBe(false);
    }
    await h.server.close();
  }
});

describe('proxyDHCP on port 67', () => {
  it('offers EDK2 its UEFI file without option 43, broadcast to 255.255.255.255', async () => {
    const h = await proxy();
    const [offer] = await h.sendBytes(readFixture('edk2-pxe-discover'));
    const p = offer!.packet;
    expect(readU8(p.options.get(Opt.MESSAGE_TYPE))).toBe(MessageType.OFFER);
    expect(offer!.to).toEqual({ address: '255.255.255.255', port: 68 });
    expect(p.siaddr).toBe(BOX);
    expect(readIp(p.options.get(Opt.SERVER_ID))).toBe(BOX);
    expect(p.file).toBe('snponly.efi');
    expect(readText(p.options.get(Opt.VENDOR_CLASS))).toBe('PXEClient');
    expect(p.options.has(Opt.VENDOR_SPECIFIC)).toBe(false);
    expect(p.options.has(Opt.CLIENT_MACHINE_ID)).toBe(true);
    expect(p.xid).toBe(0xfb77cb92);
    expect(p.flags).toBe(0x8000);
  });

  it.each([
    [0, 'undionly.kpxe'],
    [7, 'snponly.efi'],
    [9, 'snponly.efi'],
  ])('arch %i gets %s', async (arch, file) => {
    const h = await proxy();
    const offer = await h.ask(MessageType.DISCOVER, { mac: MAC, arch });
    expect(offer!.packet.file).toBe(file);
  });

  it('tells BIOS PXE to skip boot-server discovery (option 43, sub-option 6 = 8)', async () => {
    const h = await proxy();
    const offer = await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 0 });
    expect(offer!.packet.options.get(Opt.VENDOR_SPECIFIC)).toEqual(Buffer.from([6, 1, 8, 255]));
  });

  it('gives iPXE the HTTP script URL (arch 0 and 7)', async () => {
    const h = await proxy();
    const [bios] = await h.sendBytes(readFixture('ipxe-bios-discover'));
    expect(bios!.packet.file).toBe(`http://${BOX}/boot/ipxe?mac=52:54:00:12:34:57&arch=bios`);
    expect(bios!.packet.options.has(Opt.VENDOR_SPECIFIC)).toBe(false);
    const [efi] = await h.sendBytes(readFixture('ipxe-efi-discover'));
    expect(efi!.packet.file).toBe(`http://${BOX}/boot/ipxe?mac=52:54:00:12:34:58&arch=efi64`);
  });

  it('leaves non-PXE clients and REQUESTs on port 67 to the LAN DHCP server', async () => {
    const h = await proxy();
    expect(await h.sendBytes(readFixture('udhcpc-discover'))).toEqual([]);
    expect(await h.sendBytes(readFixture('dhclient-request'))).toEqual([]);
    expect(await h.ask(MessageType.REQUEST, { mac: MAC, arch: 7, serverId: BOX })).toBeUndefined();
  });

  it('stays silent when the policy has nothing for the architecture', async () => {
    const h = await proxy();
    expect(await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 11 })).toBeUndefined();
  });

  it('answers through a relay on port 67', async () => {
    const h = await proxy();
    const offer = await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 7, giaddr: '10.20.0.1' });
    expect(offer!.to).toEqual({ address: '10.20.0.1', port: 67 });
  });
});

describe('PXE boot server on port 4011', () => {
  it('ACKs the REQUEST UEFI firmware sends there, back to where it came from', async () => {
    const h = await proxy();
    const from = { address: '192.168.1.57', port: 68 };
    const ack = await h.ask(MessageType.REQUEST, { mac: MAC, arch: 7, ciaddr: '192.168.1.57' }, from, 'pxe');
    expect(readU8(ack!.packet.options.get(Opt.MESSAGE_TYPE))).toBe(MessageType.ACK);
    expect(ack!.to).toEqual(from);
    expect(ack!.via).toBe('pxe');
    expect(ack!.packet.file).toBe('snponly.efi');
    expect(ack!.packet.ciaddr).toBe('192.168.1.57');
  });

  it('ignores a DISCOVER sent to port 4011', async () => {
    const h = await proxy();
    expect(await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 7 }, { address: '192.168.1.57', port: 68 }, 'pxe')).toBeUndefined();
  });
});

describe('boot settings', () => {
  it('uses the configured UEFI file and per-MAC overrides', async () => {
    const h = await proxy(createArchBootPolicy({ httpBaseUrl: `http://${BOX}/`, uefiBootFile: 'ipxe.efi', bootFileByMac: { '52-54-00-AA-BB-CC': 'quirky/undionly.kkpxe' } }));
    expect((await h.ask(MessageType.DISCOVER, { mac: '52:54:00:00:00:01', arch: 9 }))!.packet.file).toBe('ipxe.efi');
    expect((await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 0 }))!.packet.file).toBe('quirky/undionly.kkpxe');
    // iPXE keeps its URL even with an override: a binary would chain-load itself forever.
    expect((await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 0, ipxe: true }))!.packet.file).toBe(`http://${BOX}/boot/ipxe?mac=${MAC}&arch=bios`);
  });

  it('puts a URL too long for the file field in option 67 only', async () => {
    const long = `http://${BOX}/${'x'.repeat(150)}`;
    const h = await proxy({ bootFor: () => ({ bootUrl: long }) });
    const offer = await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 7, ipxe: true });
    expect(offer!.packet.file).toBe('');
    expect(readText(offer!.packet.options.get(Opt.BOOTFILE_NAME))).toBe(long);
  });

  it('sends another next server when the policy names one', async () => {
    const h = await proxy({ bootFor: () => ({ bootFile: 'undionly.kpxe', nextServer: '10.10.0.9' }) });
    const offer = await h.ask(MessageType.DISCOVER, { mac: MAC, arch: 0 });
    expect(offer!.packet.siaddr).toBe('10.10.0.9');
    expect(readText(offer!.packet.options.get(Opt.TFTP_SERVER_NAME))).toBe('10.10.0.9');
  });
});
