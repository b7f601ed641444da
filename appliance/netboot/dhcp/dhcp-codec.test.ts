import { describe, expect, it } from 'vitest';
import { clientInfoOf } from './client-info.ts';
import { MessageType, MIN_BOOTP_LENGTH, Opt } from './dhcp-constants.ts';
import { decodeDhcp } from './dhcp-decode.ts';
import { describePacket } from './dhcp-describe.ts';
import { encodeDhcp } from './dhcp-encode.ts';
import { chaddrFromMac, type DhcpPacket } from './dhcp-packet.ts';
import { readUserClasses, subOptionsValue, u8Option } from './dhcp-options.ts';
import { fixtureNames, readFixture } from './fixtures/read-fixture.ts';
import { fuzzDatagrams } from './testing/fuzz-datagrams.ts';

function decodeOk(buf: Buffer): DhcpPacket {
  const result = decodeDhcp(buf);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.packet;
}

function request(options: Array<[number, Buffer]>): DhcpPacket {
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x01020304,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: chaddrFromMac('02:00:00:00:00:01'),
    sname: '',
    file: '',
    options: new Map(options),
  };
}

describe('captured packets', () => {
  it.each(fixtureNames)('%s decodes to its golden file', async (name) => {
    const described = describePacket(decodeOk(readFixture(name)));
    await expect(JSON.stringify(described, null, 2) + '\n').toMatchFileSnapshot(`./fixtures/${name}.golden.json`);
  });

  it.each(fixtureNames)('%s survives encode -> decode unchanged', (name) => {
    const packet = decodeOk(readFixture(name));
    const again = decodeOk(encodeDhcp(packet));
    expect(again).toEqual(packet);
  });

  it('reads EDK2 as an x86-64 UEFI PXE client asking for options 50 and 60 (npm dhcp threw on these)', () => {
    const info = clientInfoOf(decodeOk(readFixture('edk2-pxe-discover')));
    expect(info).toMatchObject({ arch: 7, isPxe: true, isIpxe: false, messageType: MessageType.DISCOVER });
    expect(info.parameterList).toEqual(expect.arrayContaining([50, 60]));
  });

  it('recognises iPXE by option 175 and by its bare "iPXE" user class', () => {
    const bios = clientInfoOf(decodeOk(readFixture('ipxe-bios-discover')));
    expect(bios).toMatchObject({ arch: 0, isIpxe: true, userClasses: ['iPXE'] });
    const efi = clientInfoOf(decodeOk(readFixture('ipxe-efi-discover')));
    expect(efi).toMatchObject({ arch: 7, isIpxe: true });
    const byUserClassOnly = clientInfoOf(request([[Opt.MESSAGE_TYPE, u8Option(1)], [Opt.USER_CLASS, Buffer.from('iPXE')]]));
    expect(byUserClassOnly.isIpxe).toBe(true);
  });

  it('reads plain clients as non-PXE with no architecture', () => {
    const info = clientInfoOf(decodeOk(readFixture('udhcpc-discover')));
    expect(info).toMatchObject({ isPxe: false, isIpxe: false, arch: undefined, hostname: 'station1' });
    const dhclient = clientInfoOf(decodeOk(readFixture('dhclient-request')));
    expect(dhclient.messageType).toBe(MessageType.REQUEST);
    expect(dhclient.requestedIp).toBe('10.233.0.128');
    expect(dhclient.serverId).toBe('10.233.0.1');
  });
});

describe('encode', () => {
  it('pads every message to the 300-byte BOOTP minimum', () => {
    const bytes = encodeDhcp(request([[Opt.MESSAGE_TYPE, u8Option(MessageType.ACK)]]));
    expect(bytes.length).toBe(MIN_BOOTP_LENGTH);
  });

  it('splits options over 255 bytes and decoding joins them again (RFC 3396)', () => {
    const long = Buffer.alloc(600, 0x41);
    const packet = decodeOk(encodeDhcp(request([[Opt.MESSAGE_TYPE, u8Option(1)], [Opt.BOOTFILE_NAME, long]])));
    expect(packet.options.get(Opt.BOOTFILE_NAME)).toEqual(long);
  });

  it('refuses a message larger than the peer accepts', () => {
    const big = request([[Opt.BOOTFILE_NAME, Buffer.alloc(400)]]);
    expect(() => encodeDhcp(big, { maxLength: 576 })).toThrow(/exceeds/);
  });

  it('refuses a file name that does not fit the 128-byte field', () => {
    expect(() => encodeDhcp({ ...request([]), file: 'x'.repeat(128) })).toThrow(/file field/);
  });
});

describe('decode', () => {
  it('reads options carried in the file and sname fields (option 52 overload)', () => {
    const bytes = encodeDhcp(request([[Opt.MESSAGE_TYPE, u8Option(1)], [Opt.OVERLOAD, u8Option(3)]]));
    Buffer.from([Opt.HOSTNAME, 2, 0x68, 0x69, 255]).copy(bytes, 108);
    Buffer.from([Opt.VENDOR_CLASS, 3, 0x61, 0x62, 0x63, 255]).copy(bytes, 44);
    const packet = decodeOk(bytes);
    expect(packet.options.get(Opt.HOSTNAME)?.toString()).toBe('hi');
    expect(packet.options.get(Opt.VENDOR_CLASS)?.toString()).toBe('abc');
    expect(packet.file).toBe('');
    expect(packet.sname).toBe('');
  });

  it.each([
    ['TOO_SHORT', Buffer.alloc(10)],
    ['BAD_OP', Buffer.concat([Buffer.from([9]), encodeDhcp(request([])).subarray(1)])],
    ['NO_MAGIC_COOKIE', Buffer.alloc(300, 1)],
  ])('returns %s instead of throwing', (code, bytes) => {
    const result = decodeDhcp(bytes);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('returns BAD_HLEN for a hardware address longer than its field', () => {
    const bytes = encodeDhcp(request([]));
    bytes[2] = 17;
    expect(decodeDhcp(bytes)).toMatchObject({ ok: false, error: { code: 'BAD_HLEN' } });
  });

  it('returns TRUNCATED_OPTION when an option runs past the end', () => {
    const bytes = Buffer.concat([encodeDhcp(request([])).subarray(0, 240), Buffer.from([Opt.HOSTNAME, 10, 1, 2])]);
    expect(decodeDhcp(bytes)).toMatchObject({ ok: false, error: { code: 'TRUNCATED_OPTION' } });
  });

  it('returns BAD_OPTION for a message type that is not one byte', () => {
    const bytes = encodeDhcp(request([[Opt.MESSAGE_TYPE, Buffer.from([1, 2])]]));
    expect(decodeDhcp(bytes)).toMatchObject({ ok: false, error: { code: 'BAD_OPTION' } });
  });

  it('reads RFC 3004 user-class lists and bare strings', () => {
    expect(readUserClasses(Buffer.from([4, 0x69, 0x50, 0x58, 0x45, 2, 0x61, 0x62]))).toEqual(['iPXE', 'ab']);
    expect(readUserClasses(Buffer.from('iPXE'))).toEqual(['iPXE']);
  });

  it('keeps PXE sub-options readable (option 43)', () => {
    const packet = decodeOk(encodeDhcp(request([[Opt.VENDOR_SPECIFIC, subOptionsValue([[6, Buffer.from([8])]])]])));
    expect(describePacket(packet).options[0]).toEqual({ code: 43, name: 'vendor-specific', value: { 6: '08' } });
  });

  it('never throws on 100,000 random and mutated datagrams', () => {
    const seeds = fixtureNames.map(readFixture);
    let decoded = 0;
    for (const datagram of fuzzDatagrams(seeds, 100_000)) {
      const result = decodeDhcp(datagram);
      if (result.ok) {
        decoded += 1;
        // Whatever decodes must also describe and read without throwing.
        describePacket(result.packet);
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
