import { createSocket, type Socket } from 'node:dgram';
import { PXE_PORT, SERVER_PORT } from './dhcp-constants.ts';
import { silentLogger, type NetbootLogger } from './logger.ts';
import type { Endpoint, Via } from './reply.ts';
import type { DhcpTransport, Inbound } from './transport.ts';

export interface UdpTransportOptions {
  /** The box's address on the station interface; every reply leaves from it. */
  serverIp: string;
  /** undefined: 67. */
  dhcpPort?: number;
  /** undefined: 4011. */
  pxePort?: number;
  logger?: NetbootLogger;
}

/**
 * Three UDP sockets (see docs/netboot.md, "Interface binding"):
 * - 0.0.0.0:67 receives the clients' broadcasts (a socket bound to an address never
 *   sees 255.255.255.255); it never sends.
 * - serverIp:67 receives unicasts (relays, renewals) and sends every DHCP reply. Linux
 *   routes a limited broadcast from a socket bound to a local address out of the device
 *   that owns the address (ip_route_output_key_hash_rcu: "Special hack: user can direct
 *   multicasts and limited broadcast via necessary interface"), so 255.255.255.255
 *   leaves by the station interface, not by the default route.
 * - serverIp:4011 is the PXE boot server.
 * Which interface a broadcast came in on is enforced by the nftables guard.
 */
export class UdpTransport implements DhcpTransport {
  private sockets: Socket[] = [];
  private hostSocket: Socket | undefined;
  private pxeSocket: Socket | undefined;
  private readonly log: NetbootLogger;

  constructor(private readonly options: UdpTransportOptions) {
    this.log = options.logger ?? silentLogger;
  }

  async listen(handler: (d: Inbound) => void): Promise<void> {
    const { serverIp } = this.options;
    const dhcpPort = this.options.dhcpPort ?? SERVER_PORT;
    try {
      await this.open('0.0.0.0', dhcpPort, 'dhcp', handler);
      this.hostSocket = await this.open(serverIp, dhcpPort, 'dhcp', handler);
      this.pxeSocket = await this.open(serverIp, this.options.pxePort ?? PXE_PORT, 'pxe', handler);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async send(data: Buffer, to: Endpoint, via: Via): Promise<void> {
    const socket = via === 'pxe' ? this.pxeSocket : this.hostSocket;
    if (!socket) throw new Error('dhcp: transport is closed');
    await new Promise<void>((resolve, reject) => socket.send(data, to.port, to.address, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const sockets = this.sockets.splice(0);
    this.hostSocket = undefined;
    this.pxeSocket = undefined;
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private async open(address: string, port: number, via: Via, handler: (d: Inbound) => void): Promise<Socket> {
    // reuseAddr: the wildcard and the address-bound socket share port 67.
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.sockets.push(socket);
    socket.on('message', (data, rinfo) => handler({ data, from: { address: rinfo.address, port: rinfo.port }, via }));
    // An ICMP-triggered error on one send must not take the server down.
    socket.on('error', (err) => this.log.error({ address, port, err: err.message }, 'UDP socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setBroadcast(true);
    return socket;
  }
}
