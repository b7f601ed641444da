import { Arch, Opt } from './dhcp-constants.ts';
import { macOf, type DhcpPacket } from './dhcp-packet.ts';
import {
  readByteList,
  readIp,
  readMachineId,
  readText,
  readU16,
  readU16List,
  readU8,
  readUserClasses,
} from './dhcp-options.ts';

/** What the server and the boot policy need to know about a client, read from one request. */
export interface ClientInfo {
  mac: string;
  messageType: number | undefined;
  /**
   * Client architecture (RFC 4578 option 93, else the `Arch:` field of a PXEClient
   * vendor class). undefined: the client did not say (not a PXE client).
   */
  arch: number | undefined;
  /** Vendor class starts with "PXEClient" (PXE spec §2.2.4). */
  isPxe: boolean;
  /** iPXE: option 175 present or user class "iPXE". */
  isIpxe: boolean;
  vendorClass: string | undefined;
  userClasses: string[];
  hostname: string | undefined;
  requestedIp: string | undefined;
  serverId: string | undefined;
  parameterList: number[];
  /** RFC 2132 §9.10; undefined: the client accepts the 576-byte default. */
  maxMessageSize: number | undefined;
  /** RFC 4578 §2.3 machine GUID, or undefined. */
  machineId: string | undefined;
}

export function clientInfoOf(packet: DhcpPacket): ClientInfo {
  const o = packet.options;
  const vendorClass = readText(o.get(Opt.VENDOR_CLASS));
  const userClasses = readUserClasses(o.get(Opt.USER_CLASS)) ?? [];
  const isPxe = vendorClass?.startsWith('PXEClient') ?? false;
  return {
    mac: macOf(packet),
    messageType: readU8(o.get(Opt.MESSAGE_TYPE)),
    arch: archOf(readU16List(o.get(Opt.CLIENT_ARCH)), vendorClass),
    isPxe,
    isIpxe: o.has(Opt.IPXE) || userClasses.includes('iPXE'),
    vendorClass,
    userClasses,
    hostname: readText(o.get(Opt.HOSTNAME)),
    requestedIp: readIp(o.get(Opt.REQUESTED_IP)),
    serverId: readIp(o.get(Opt.SERVER_ID)),
    parameterList: readByteList(o.get(Opt.PARAMETER_LIST)) ?? [],
    maxMessageSize: readU16(o.get(Opt.MAX_MESSAGE_SIZE)),
    machineId: readMachineId(o.get(Opt.CLIENT_MACHINE_ID)),
  };
}

/** Option 93 first; old ROMs only put `PXEClient:Arch:xxxxx:UNDI:yyyzzz` in option 60. */
function archOf(archs: number[] | undefined, vendorClass: string | undefined): number | undefined {
  if (archs?.length) return archs[0];
  const match = /^PXEClient:Arch:(\d{5})/.exec(vendorClass ?? '');
  if (match) return Number(match[1]);
  return vendorClass?.startsWith('PXEClient') ? Arch.BIOS : undefined;
}

/** x86-64 UEFI: 7 and 9 both, per RFC 4578 erratum 4624 (EDK2 sends 7). */
export function isUefiX64(arch: number | undefined): boolean {
  return arch === Arch.EFI_BC || arch === Arch.EFI_X64;
}

/** Short name used in logs and the boot URL. */
export function archName(arch: number | undefined): string {
  switch (arch) {
    case undefined:
      return 'unknown';
    case Arch.BIOS:
      return 'bios';
    case Arch.EFI_IA32:
      return 'efi32';
    case Arch.EFI_BC:
    case Arch.EFI_X64:
      return 'efi64';
    case Arch.EFI_ARM32:
      return 'arm32-efi';
    case Arch.EFI_ARM64:
      return 'arm64-efi';
    default:
      return `arch${arch}`;
  }
}
