import type dgram from 'node:dgram';
import { openDgramPeer, openNativePeer, type PeerSocket, type TransferPath } from './peer-socket.ts';
import { bindUdp } from './udp-socket.ts';

/** One transfer's port (its TID, RFC 1350 §4), held by two sockets. */
export interface TransferSockets {
  /**
   * connect()ed to the client: each DATA goes out without an address (no lookup,
   * no route lookup in the kernel), and only the client's datagrams come in.
   * Native (peer-socket.ts) unless the addon is missing or the server says otherwise.
   */
  readonly peer: PeerSocket;
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
export async function openTransferSockets(host: string, peer: { readonly address: string; readonly port: number }, path: TransferPath): Promise<TransferSockets> {
  const connected = path.kind === 'datagram' ? openNativePeer(path, host, peer) : await openDgramPeer(host, peer);
  try {
    const strangers = await bindUdp(host, connected.port, true);
    return { peer: connected, strangers };
  } catch (err) {
    connected.close();
    throw err;
  }
}
