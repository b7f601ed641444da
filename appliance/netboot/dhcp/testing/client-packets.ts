import { BROADCAST_FLAG, Opt, type MessageType } from '../dhcp-constants.ts';
import { chaddrFromMac, ZERO_IP, type DhcpPacket } from '../dhcp-packet.ts';
import { ipOption, subOptionsValue, textOption, u8Option } from '../dhcp-options.ts';

export interface ClientPacketOptions {
  mac: string;
  xid?: number;
  /** Makes it a PXE client: option 93 plus class `PXEClient:Arch:xxxxx:UNDI:003000`. */
  arch?: number;
  /** Adds option 175 and user class `iPXE`, as iPXE does. */
  ipxe?: boolean;
  /** Option 60 verbatim (overrides the PXE class). */
  vendorClass?: string;
  requestedIp?: string;
  serverId?: string;
  ciaddr?: string;
  giaddr?: string;
  broadcast?: boolean;
  hostname?: string;
  /** Option 55; default: the list EDK2 sends, which asks for 50 and 60. */
  parameterList?: number[];
  relayAgentInfo?: Buffer;
  machineId?: Buffer;
}

const edk2ParameterList = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97];

/** A client message as firmware or a DHCP client would send it (tests and lab scripts). */
export function clientPacket(type: MessageType, o: ClientPacketOptions): DhcpPacket {
  const options = new Map<number, Buffer>([[Opt.MESSAGE_TYPE, u8Option(type)]]);
  if (o.requestedIp) options.set(Opt.REQUESTED_IP, ipOption(o.requestedIp));
  if (o.serverId) options.set(Opt.SERVER_ID, ipOption(o.serverId));
  options.set(Opt.PARAMETER_LIST, Buffer.from(o.parameterList ?? edk2ParameterList));
  options.set(Opt.MAX_MESSAGE_SIZE, Buffer.from([0x05, 0xc0]));
  if (o.hostname) options.set(Opt.HOSTNAME, textOption(o.hostname));
  if (o.arch !== undefined) {
    options.set(Opt.CLIENT_ARCH, Buffer.from([o.arch >> 8, o.arch & 255]));
    options.set(Opt.CLIENT_NDI, Buffer.from([1, 3, 0]));
    options.set(Opt.VENDOR_CLASS, textOption(`PXEClient:Arch:${String(o.arch).padStart(5, '0')}:UNDI:003000`));
    options.set(Opt.CLIENT_MACHINE_ID, o.machineId ?? Buffer.concat([Buffer.from([0]), Buffer.alloc(16, 0xab)]));
  }
  if (o.vendorClass) options.set(Opt.VENDOR_CLASS, textOption(o.vendorClass));
  if (o.ipxe) {
    options.set(Opt.USER_CLASS, textOption('iPXE'));
    options.set(Opt.IPXE, subOptionsValue([[16, Buffer.from([2])], [19, Buffer.from([1])]]));
  }
  if (o.relayAgentInfo) options.set(Opt.RELAY_AGENT_INFO, o.relayAgentInfo);
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: o.giaddr ? 1 : 0,
    xid: o.xid ?? 0x12345678,
    secs: 0,
    flags: o.broadcast ? BROADCAST_FLAG : 0,
    ciaddr: o.ciaddr ?? ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: o.giaddr ?? ZERO_IP,
    chaddr: chaddrFromMac(o.mac),
    sname: '',
    file: '',
    options,
  };
}
