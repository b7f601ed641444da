import type dgram from 'node:dgram';
import { once } from 'node:events';
import type * as Addon from '@epnbox/datagram';
import { bindUdp } from './udp-socket.ts';

/** What a transfer hears from its peer socket. */
export interface PeerHandler {
  /** A datagram from the peer: `data[0, length)`, valid only during the call (the native path reuses the buffer). */
  onDatagram(data: Buffer, length: number): void;
  /** A socket error; `code` ECONNREFUSED means an ICMP port unreachable: the client has gone. */
  onError(err: NodeJS.ErrnoException): void;
}

/** A transfer's socket connected to its client (RFC 1350 §4: the server's TID). */
export interface PeerSocket {
  readonly port: number;
  /** Until called, datagrams are dropped (the client cannot know the port before our first packet). */
  setHandler(handler: PeerHandler): void;
  /** One datagram, now; a failure goes to onError (a full send buffer is a lost datagram: the retransmission clock covers it). */
  send(packet: Buffer): void;
  /** Sends `lastWord` if given, then closes; idempotent. */
  close(lastWord?: Buffer): void;
  /** Native only: `head` then `body` as one datagram, `body` not copied (a view on the shared cache); failures as send(). */
  readonly sendParts?: (head: Buffer, body: Buffer) => void;
  /** Native only: busy-waits up to `maxNs` for a datagram to be waiting; ns it took, or -1 (answer-spin.ts). */
  readonly awaitReadable?: (maxNs: number) => number;
}

/** How transfer datagrams move: the native addon, or node:dgram (and why). */
export type TransferPath = { kind: 'datagram'; open: typeof Addon.ConnectedDatagramSocket; errnoCode: typeof Addon.errnoCode } | { kind: 'dgram'; reason: string };

export async function loadTransferPath(load: () => Promise<typeof Addon> = () => import('@epnbox/datagram')): Promise<TransferPath> {
  try {
    const addon = await load();
    return { kind: 'datagram', open: addon.ConnectedDatagramSocket, errnoCode: addon.errnoCode };
  } catch (error) {
    return { kind: 'dgram', reason: `@epnbox/datagram not loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

/** Loaded once per thread, at import: each worker loads its own copy of the addon. */
const loaded = await loadTransferPath();

/** The path transfers take: `native: false` (the server option) forces node:dgram. */
export function transferPath(native = true): TransferPath {
  return native ? loaded : { kind: 'dgram', reason: 'nativeDatagram: false' };
}

/** For /api/health: "datagram", or "dgram (<why>)". */
export function describeTransferPath(path: TransferPath = loaded): string {
  return path.kind === 'datagram' ? 'datagram' : `dgram (${path.reason})`;
}

/**
 * One receive buffer per thread, shared by its native sockets: a datagram is handled
 * synchronously in the callback, before the loop can read the next one into it.
 * 65,536 bytes hold any UDP payload, so nothing is ever cut.
 */
let receiveBuffer: Buffer | undefined;

const noHandler: PeerHandler = { onDatagram: () => {}, onError: () => {} };

function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
}

/** Opens the native socket (throws like bind/connect would: EADDRNOTAVAIL, EMFILE…). */
export function openNativePeer(path: Extract<TransferPath, { kind: 'datagram' }>, host: string, peer: { readonly address: string; readonly port: number }): PeerSocket {
  const buffer = (receiveBuffer ??= Buffer.allocUnsafe(65536));
  let handler = noHandler;
  let closed = false;
  /** A full send buffer (EAGAIN) is a lost datagram, which the retransmission clock covers. */
  const sent = (result: number): void => {
    if (result >= 0 || closed) return;
    const code = path.errnoCode(result);
    if (code !== 'EAGAIN') handler.onError(errnoError(code, 'send'));
  };
  const socket = new path.open(host, peer.address, peer.port, buffer, (result) => {
    if (result >= 0) handler.onDatagram(buffer, result);
    else handler.onError(errnoError(path.errnoCode(result), 'recv'));
  });
  return {
    port: socket.localPort,
    setHandler: (h) => {
      handler = h;
    },
    send: (packet) => sent(socket.send(packet, packet.length)),
    sendParts: (head, body) => sent(socket.sendParts(head, body)),
    close: (lastWord) => {
      if (closed) return;
      closed = true;
      if (lastWord !== undefined) socket.send(lastWord, lastWord.length);
      socket.close();
    },
    awaitReadable: (maxNs) => socket.awaitReadable(maxNs),
  };
}

/** The node:dgram twin of openNativePeer: a bound, connected socket. */
export async function openDgramPeer(host: string, peer: { readonly address: string; readonly port: number }): Promise<PeerSocket> {
  const socket: dgram.Socket = await bindUdp(host, 0, true);
  try {
    const connecting = once(socket, 'connect');
    socket.connect(peer.port, peer.address);
    await connecting;
  } catch (err) {
    socket.close();
    throw err;
  }
  let handler = noHandler;
  let closed = false;
  socket.on('message', (msg) => handler.onDatagram(msg, msg.length));
  socket.on('error', (err) => handler.onError(err));
  const close = () => {
    try {
      socket.close();
    } catch {
      // Already closed after a socket error.
    }
  };
  return {
    port: socket.address().port,
    setHandler: (h) => {
      handler = h;
    },
    send: (packet) => {
      try {
        socket.send(packet);
      } catch (err) {
        handler.onError(err as NodeJS.ErrnoException);
      }
    },
    close: (lastWord) => {
      if (closed) return;
      closed = true;
      if (lastWord === undefined) return close();
      try {
        socket.send(lastWord, 0, lastWord.length, close);
      } catch {
        close();
      }
    },
  };
}
