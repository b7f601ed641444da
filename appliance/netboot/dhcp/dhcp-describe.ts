import { clientInfoOf, type ClientInfo } from './client-info.ts';
import { messageTypeName, Opt } from './dhcp-constants.ts';
import { macOf, type DhcpPacket } from './dhcp-packet.ts';
import {
  readClientNdi,
  readIp,
  readIps,
  readMachineId,
  readSubOptions,
  readText,
  readU16,
  readU16List,
  readU32,
  readU8,
  readUserClasses,
} from './dhcp-options.ts';

type Reader = (value: Buffer) => unknown;

const subOptions: Reader = (v) => {
  const map = readSubOptions(v);
  return map ? Object.fromEntries([...map].map(([code, value]) => [code, value.toString('hex')])) : { malformed: v.toString('hex') };
};

/** Names (RFC 2132 wording, shortened) and how to show each known option. */
const known: Record<number, [string, Reader]> = {
  [Opt.SUBNET_MASK]: ['subnet-mask', readIp],
  [Opt.ROUTER]: ['router', readIps],
  [Opt.DNS]: ['dns-servers', readIps],
  [Opt.HOSTNAME]: ['hostname', readText],
  [Opt.DOMAIN_NAME]: ['domain-name', readText],
  [Opt.BROADCAST]: ['broadcast-address', readIp],
  [Opt.VENDOR_SPECIFIC]: ['vendor-specific', subOptions],
  [Opt.REQUESTED_IP]: ['requested-ip', readIp],
  [Opt.LEASE_TIME]: ['lease-time', readU32],
  [Opt.OVERLOAD]: ['overload', readU8],
  [Opt.MESSAGE_TYPE]: ['message-type', (v) => messageTypeName(readU8(v))],
  [Opt.SERVER_ID]: ['server-id', readIp],
  [Opt.PARAMETER_LIST]: ['parameter-list', (v) => [...v]],
  [Opt.MESSAGE]: ['message', readText],
  [Opt.MAX_MESSAGE_SIZE]: ['max-message-size', readU16],
  [Opt.RENEWAL_TIME]: ['renewal-time', readU32],
  [Opt.REBINDING_TIME]: ['rebinding-time', readU32],
  [Opt.VENDOR_CLASS]: ['vendor-class', readText],
  [Opt.CLIENT_ID]: ['client-id', (v) => v.toString('hex')],
  [Opt.TFTP_SERVER_NAME]: ['tftp-server-name', readText],
  [Opt.BOOTFILE_NAME]: ['bootfile-name', readText],
  [Opt.USER_CLASS]: ['user-class', readUserClasses],
  [Opt.RELAY_AGENT_INFO]: ['relay-agent-info', subOptions],
  [Opt.CLIENT_ARCH]: ['client-arch', readU16List],
  [Opt.CLIENT_NDI]: ['client-ndi', readClientNdi],
  [Opt.CLIENT_MACHINE_ID]: ['client-machine-id', readMachineId],
  [Opt.IPXE]: ['ipxe', subOptions],
};

export interface DescribedOption {
  code: number;
  name: string;
  value: unknown;
}

export interface DescribedPacket {
  op: string;
  htype: number;
  hlen: number;
  hops: number;
  xid: string;
  secs: number;
  flags: string;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  chaddr: string;
  sname: string;
  file: string;
  options: DescribedOption[];
  client: ClientInfo;
}

/** A readable, JSON-stable view of a packet: golden files and debug logs. */
export function describePacket(p: DhcpPacket): DescribedPacket {
  return {
    op: p.op === 1 ? 'BOOTREQUEST' : 'BOOTREPLY',
    htype: p.htype,
    hlen: p.hlen,
    hops: p.hops,
    xid: `0x${p.xid.toString(16).padStart(8, '0')}`,
    secs: p.secs,
    flags: `0x${p.flags.toString(16).padStart(4, '0')}`,
    ciaddr: p.ciaddr,
    yiaddr: p.yiaddr,
    siaddr: p.siaddr,
    giaddr: p.giaddr,
    chaddr: macOf(p),
    sname: p.sname,
    file: p.file,
    options: [...p.options].map(([code, value]) => describeOption(code, value)),
    client: clientInfoOf(p),
  };
}

function describeOption(code: number, value: Buffer): DescribedOption {
  const entry = known[code];
  if (!entry) return { code, name: `option-${code}`, value: value.toString('hex') };
  const [name, read] = entry;
  return { code, name, value: read(value) ?? { malformed: value.toString('hex') } };
}
