import { FakeClock } from '../../../../api/shared/clock.ts';
import { createArchBootPolicy } from '../arch-boot-policy.ts';
import type { BootPolicy } from '../boot-policy.ts';
import type { MessageType } from '../dhcp-constants.ts';
import { encodeDhcp } from '../dhcp-encode.ts';
import type { DhcpPacket } from '../dhcp-packet.ts';
import { DhcpServer, type DhcpServerOptions } from '../dhcp-server.ts';
import type { Endpoint, Via } from '../reply.ts';
import { clientPacket, type ClientPacketOptions } from './client-packets.ts';
import { FakeTransport, type SentDatagram } from './fake-transport.ts';
import { memoryLogger } from './memory-logger.ts';

export const BOX = '10.10.0.1';

export const localSubnet = { cidr: '10.10.0.0/24', rangeStart: '10.10.0.100', rangeEnd: '10.10.0.199' };
export const relayedSubnet = { cidr: '10.20.0.0/24', rangeStart: '10.20.0.50', rangeEnd: '10.20.0.60' };

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** A server on a fake transport with a fake clock: send it datagrams, read its answers. */
export async function startHarness(overrides: Partial<DhcpServerOptions> & { policy?: BootPolicy } = {}) {
  const transport = new FakeTransport();
  const clock = new FakeClock();
  const logger = memoryLogger();
  const policy = overrides.policy ?? createArchBootPolicy({ httpBaseUrl: `http://${BOX}` });
  const server = await DhcpServer.create({
    mode: 'full',
    serverIp: BOX,
    transport,
    clock,
    logger,
    full: { subnets: [localSubnet, relayedSubnet] },
    ...overrides,
    policy,
  });
  await server.start();

  /** Sends raw bytes and returns what the server sent in answer. */
  async function sendBytes(data: Buffer, from: Endpoint = { address: '0.0.0.0', port: 68 }, via: Via = 'dhcp'): Promise<SentDatagram[]> {
    const before = transport.sent.length;
    await server.handle({ data, from, via });
    return transport.sent.slice(before);
  }

  async function send(packet: DhcpPacket, from?: Endpoint, via?: Via): Promise<SentDatagram[]> {
    return sendBytes(encodeDhcp(packet), from, via);
  }

  async function ask(type: MessageType, o: ClientPacketOptions, from?: Endpoint, via?: Via): Promise<SentDatagram | undefined> {
    const replies = await send(clientPacket(type, o), from, via);
    if (replies.length > 1) throw new Error('more than one reply');
    return replies[0];
  }

  return { server, transport, clock, logger, send, sendBytes, ask };
}
