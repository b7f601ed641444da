import dgram from 'node:dgram';
import { once } from 'node:events';
import { wireBlock } from '../../../appliance/netboot/tftp/block-numbers.ts';
import { decodePacket } from '../../../appliance/netboot/tftp/packet-decode.ts';
import { encodeAck, encodeRequest } from '../../../appliance/netboot/tftp/packet-encode.ts';
import { Opcode, type TftpPacket } from '../../../appliance/netboot/tftp/packets.ts';

export interface Received {
  readonly packet: TftpPacket | undefined;
  readonly raw: Buffer;
  readonly port: number;
}

/**
 * A hand-driven UDP peer on 127.0.0.1 for protocol tests that real clients
 * cannot express (spoofed TIDs, duplicate ACKs, abandoned requests).
 */
export class RawPeer {
  private readonly queue: Received[] = [];
  private waiter: (() => void) | undefined;

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (raw, rinfo) => {
      const decoded = decodePacket(raw);
      this.queue.push({ packet: decoded.ok ? decoded.packet : undefined, raw, port: rinfo.port });
      this.waiter?.();
    });
  }

  /** Any 127.x.y.z works on Linux: other addresses make other clients for per-address limits. */
  static async open(address = '127.0.0.1'): Promise<RawPeer> {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, address);
    await once(socket, 'listening');
    return new RawPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Uint8Array, port: number): void {
    this.socket.send(data, port, '127.0.0.1');
  }

  rrq(serverPort: number, file: string, options: [string, string][] = [], mode = 'octet'): void {
    this.send(encodeRequest(Opcode.RRQ, file, mode, new Map(options)), serverPort);
  }

  ack(port: number, block: number): void {
    this.send(encodeAck(block), port);
  }

  /** The next datagram; rejects after `timeoutMs` (a generous bound, not a measurement). */
  async next(timeoutMs = 5000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no datagram received');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queue.shift() as Received;
  }

  /** Datagrams already received and not yet taken. */
  drain(): Received[] {
    return this.queue.splice(0);
  }

  close(): void {
    this.socket.close();
  }
}

export interface RawFetch {
  readonly data: Buffer;
  readonly oack: ReadonlyMap<string, string> | undefined;
  /** Every DATA packet received, duplicates included, in order. */
  readonly blocks: number[];
  readonly tid: number;
}

/**
 * Downloads a file lock-step or windowed (RFC 7440 receiver: ACK each full window
 * and the last block), counting blocks without limit across the 16-bit wrap
 * (to 0, or to 1 when the OACK says `rollover 1`).
 */
export async function rawFetch(peer: RawPeer, serverPort: number, file: string, options: [string, string][] = [], hooks: { afterData?: (block: number, tid: number) => void | Promise<void> } = {}): Promise<RawFetch> {
  peer.rrq(serverPort, file, options);
  let first = await peer.next();
  const tid = first.port;
  let oack: ReadonlyMap<string, string> | undefined;
  if (first.packet?.opcode === Opcode.OACK) {
    oack = first.packet.options;
    peer.ack(tid, 0);
    first = await peer.next();
  }
  const blockSize = Number(oack?.get('blksize') ?? 512);
  const window = Number(oack?.get('windowsize') ?? 1);
  const rollover = oack?.get('rollover') === '1' ? 1 : 0;
  const parts: Buffer[] = [];
  const blocks: number[] = [];
  let expected = 1;
  for (let got: Received = first; ; got = await peer.next()) {
    const packet = got.packet;
    if (packet?.opcode === Opcode.ERROR) throw new Error(`ERROR ${packet.code} ${packet.message}`);
    if (packet?.opcode !== Opcode.DATA || got.port !== tid) continue;
    blocks.push(packet.block);
    if (packet.block !== wireBlock(expected, rollover)) continue;
    parts.push(Buffer.from(packet.data));
    await hooks.afterData?.(expected, tid);
    const last = packet.data.length < blockSize;
    if (last || expected % window === 0) peer.ack(tid, wireBlock(expected, rollover));
    if (last) break;
    expected += 1;
  }
  return { data: Buffer.concat(parts), oack, blocks, tid };
}
