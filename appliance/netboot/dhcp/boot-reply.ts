import { bootTarget, type BootClient, type BootSpec } from './boot-policy.ts';
import type { ClientInfo } from './client-info.ts';
import { Arch, Opt } from './dhcp-constants.ts';
import type { DhcpPacket } from './dhcp-packet.ts';
import { subOptionsValue, textOption } from './dhcp-options.ts';

export function bootClientOf(info: ClientInfo): BootClient {
  return {
    mac: info.mac,
    arch: info.arch,
    isIpxe: info.isIpxe,
    userClass: info.userClasses,
    vendorClass: info.vendorClass,
    machineId: info.machineId,
  };
}

/**
 * Adds the boot answer to a reply: siaddr (next server), the file field, options 66/67
 * when asked for, and the PXE markers.
 */
export function applyBoot(reply: DhcpPacket, req: DhcpPacket, info: ClientInfo, spec: BootSpec, serverIp: string): void {
  const target = bootTarget(spec);
  const nextServer = spec.nextServer ?? serverIp;
  reply.siaddr = nextServer;
  // The 128-byte file field is what every PXE ROM reads; a longer URL goes in option 67 only.
  const fits = Buffer.byteLength(target, 'latin1') < 128;
  if (fits) reply.file = target;
  if (!fits || info.parameterList.includes(Opt.BOOTFILE_NAME)) reply.options.set(Opt.BOOTFILE_NAME, textOption(target));
  if (info.parameterList.includes(Opt.TFTP_SERVER_NAME)) reply.options.set(Opt.TFTP_SERVER_NAME, textOption(nextServer));
  if (info.isPxe) {
    // PXE spec §2.2.5: a PXE server names itself with class "PXEClient".
    reply.options.set(Opt.VENDOR_CLASS, textOption('PXEClient'));
    // PXE spec §2.4, discovery control (sub-option 6) = 8: skip boot-server discovery,
    // load the file named here. BIOS ROMs need it; UEFI firmware is left without
    // option 43, as pixiecore does (EDK2 then asks the boot server on port 4011).
    if (info.arch === Arch.BIOS && !info.isIpxe) reply.options.set(Opt.VENDOR_SPECIFIC, subOptionsValue([[6, Buffer.from([8])]]));
  }
  const machineId = req.options.get(Opt.CLIENT_MACHINE_ID);
  // PXE clients match replies on the GUID they sent (pixiecore echoes it too).
  if (machineId) reply.options.set(Opt.CLIENT_MACHINE_ID, machineId);
}
