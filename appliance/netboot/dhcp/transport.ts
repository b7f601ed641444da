import type { Endpoint, Via } from './reply.ts';

export interface Inbound {
  data: Buffer;
  from: Endpoint;
  via: Via;
}

/**
 * How datagrams reach the server and leave it. The UDP implementation
 * (udp-transport.ts) holds the interface binding; tests hand in a fake.
 */
export interface DhcpTransport {
  listen(handler: (datagram: Inbound) => void): Promise<void>;
  send(data: Buffer, to: Endpoint, via: Via): Promise<void>;
  close(): Promise<void>;
}
