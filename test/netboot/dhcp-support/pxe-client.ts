/**
 * A PXE-like client the tests run inside a client namespace:
 *   ip netns exec <ns> node --import tsx pxe-client.ts '<json ClientRun>'
 * Sends one message (built like firmware's) and prints, as one JSON line, every DHCP
 * reply with the same xid heard on port 68 within `listenMs`.
 */
import { createSocket } from 'node:dgram';
import { MessageType } from '../../../appliance/netboot/dhcp/dhcp-constants.ts';
import { decodeDhcp } from '../../../appliance/netboot/dhcp/dhcp-decode.ts';
import { describePacket, type DescribedPacket } from '../../../appliance/netboot/dhcp/dhcp-describe.ts';
import { encodeDhcp } from '../../../appliance/netboot/dhcp/dhcp-encode.ts';
import { clientPacket, type ClientPacketOptions } from '../../../appliance/netboot/dhcp/testing/client-packets.ts';

export interface ClientRun {
  /** LISTEN: send nothing, only report what is heard (uplink check). */
  type: 'DISCOVER' | 'REQUEST' | 'INFORM' | 'LISTEN';
  packet: ClientPacketOptions;
  /** Where to send; default 255.255.255.255:67. */
  to?: { address: string; port: number };
  /** Longest wait for replies. */
  listenMs: number;
  /** Stop as soon as this many replies are heard (undefined: wait the whole listenMs). */
  stopAfter?: number;
  /** Local port to send from and listen on; default 68 (67 to play a relay agent). */
  bindPort?: number;
  /** Listen for any DHCP reply at all (uplink check), not only our xid. */
  anyXid?: boolean;
}

export interface HeardReply {
  from: string;
  described: DescribedPacket;
  bytes: number;
}

async function main(): Promise<void> {
  // Buffers cross the command line as JSON ({type: 'Buffer', data: [...]}).
  const run = JSON.parse(process.argv[2]!, (_key, value: unknown) =>
    (value as { type?: string } | null)?.type === 'Buffer' ? Buffer.from((value as { data: number[] }).data) : value,
  ) as ClientRun;
  const xid = run.packet.xid ?? Math.floor(Math.random() * 0xffffffff);
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const heard: HeardReply[] = [];
  let enough: () => void = () => undefined;
  const gotEnough = new Promise<void>((resolve) => (enough = resolve));
  socket.on('message', (data, rinfo) => {
    const decoded = decodeDhcp(data);
    if (!decoded.ok || decoded.packet.op !== 2) return;
    if (!run.anyXid && decoded.packet.xid !== xid) return;
    heard.push({ from: `${rinfo.address}:${rinfo.port}`, described: describePacket(decoded.packet), bytes: data.length });
    if (run.stopAfter !== undefined && heard.length >= run.stopAfter) enough();
  });
  await new Promise<void>((resolve) => socket.bind(run.bindPort ?? 68, '0.0.0.0', resolve));
  socket.setBroadcast(true);
  // Tells the test the port is bound (LISTEN runs start before the traffic they watch).
  process.stderr.write('listening\n');
  const to = run.to ?? { address: '255.255.255.255', port: 67 };
  if (run.type !== 'LISTEN') {
    const packet = encodeDhcp(clientPacket(MessageType[run.type], { ...run.packet, xid }));
    await new Promise<void>((resolve, reject) => socket.send(packet, to.port, to.address, (err) => (err ? reject(err) : resolve())));
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gotEnough, new Promise((resolve) => (timer = setTimeout(resolve, run.listenMs)))]);
  clearTimeout(timer);
  socket.close();
  process.stdout.write(`${JSON.stringify(heard)}\n`);
}

void main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
