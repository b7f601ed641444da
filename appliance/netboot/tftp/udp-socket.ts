import dgram from 'node:dgram';
import { once } from 'node:events';
import { isIP } from 'node:net';

/**
 * A UDP socket whose address lookup answers at once. Peers are always IP
 * literals (taken from the datagram that came in), but dgram's default lookup
 * still defers every send by a tick through dns.lookup: on a lock-step transfer
 * that is one more event-loop turn per block, and a send followed by close()
 * in the same tick (a last ERROR) would be dropped.
 */
export function createUdpSocket(host: string, reuseAddr = false): dgram.Socket {
  return dgram.createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', lookup: literalLookup, reuseAddr });
}

function literalLookup(hostname: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(hostname);
  if (family === 0) callback(Object.assign(new Error(`not an IP address: ${hostname}`), { code: 'EINVAL' }), '', 0);
  else callback(null, hostname, family);
}

/** A socket bound to host:port (0: an ephemeral port); rejects, with the socket closed, if bind fails. */
export async function bindUdp(host: string, port: number, reuseAddr = false): Promise<dgram.Socket> {
  const socket = createUdpSocket(host, reuseAddr);
  // Listen first: with an immediate lookup, bind() may be done before it returns.
  const listening = once(socket, 'listening');
  socket.bind({ port, address: host, exclusive: true });
  try {
    await listening;
  } catch (err) {
    socket.close();
    throw err;
  }
  return socket;
}
