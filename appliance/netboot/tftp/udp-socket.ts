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

/** One transfer's port (its TID, RFC 1350 §4), held by two sockets. */
export interface TransferSockets {
  /**
   * connect()ed to the client: each DATA goes out without an address (no lookup,
   * no route lookup in the kernel), and only the client's datagrams come in.
   */
  readonly peer: dgram.Socket;
  /** Unconnected on the same port: the kernel gives it every other sender's datagram, answered with ERROR 5. */
  readonly strangers: dgram.Socket;
}

/**
 * Binds an ephemeral port twice (SO_REUSEADDR) and connects the first socket. For
 * each datagram Linux picks the socket whose binding matches best, so a connected
 * socket takes its peer's traffic and the unconnected one all the rest. A port
 * shared with another transfer's sockets (reuse lets the kernel pick one) still
 * routes each client to its own transfer.
 */
export async function openTransferSockets(host: string, peer: { readonly address: string; readonly port: number }): Promise<TransferSockets> {
  const connected = await bindUdp(host, 0, true);
  try {
    const connecting = once(connected, 'connect');
    connected.connect(peer.port, peer.address);
    await connecting;
    const strangers = await bindUdp(host, connected.address().port, true);
    return { peer: connected, strangers };
  } catch (err) {
    connected.close();
    throw err;
  }
}
