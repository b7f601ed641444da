import { decodeDhcp } from '../dhcp-decode.ts';
import type { DhcpPacket } from '../dhcp-packet.ts';
import type { Endpoint, Via } from '../reply.ts';
import type { DhcpTransport, Inbound } from '../transport.ts';

export interface SentDatagram {
  bytes: Buffer;
  packet: DhcpPacket;
  to: Endpoint;
  via: Via;
}

/** Records what the server sends; `failSends` makes every send fail. */
export class FakeTransport implements DhcpTransport {
  readonly sent: SentDatagram[] = [];
  handler: ((d: Inbound) => void) | undefined;
  failSends = false;
  closed = false;

  async listen(handler: (d: Inbound) => void): Promise<void> {
    this.handler = handler;
  }

  async send(bytes: Buffer, to: Endpoint, via: Via): Promise<void> {
    if (this.failSends) throw new Error('send failed (test)');
    const decoded = decodeDhcp(bytes);
    if (!decoded.ok) throw new Error(`server sent an undecodable datagram: ${decoded.error.message}`);
    this.sent.push({ bytes, packet: decoded.packet, to, via });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

