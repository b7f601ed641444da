import type { RemoteInfo } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { AnswerSpin } from './answer-spin.ts';
import { absoluteBlock } from './block-numbers.ts';
import { BlockSlots } from './block-slots.ts';
import type { FileSource } from './file-source.ts';
import type { Negotiated } from './options.ts';
import { decodePacket } from './packet-decode.ts';
import { encodeError, encodeOack } from './packet-encode.ts';
import { ErrorCode, Opcode } from './packets.ts';
import type { TransferSockets } from './transfer-sockets.ts';

export interface TftpPeer {
  readonly address: string;
  readonly port: number;
}

export type TransferOutcome =
  | 'complete' // the last block was acknowledged
  | 'complete-unconfirmed' // the last block was sent, its ACK never came (the client may have left content)
  | 'peer-error' // the client sent ERROR (8 after an OACK is the UEFI "tsize probe")
  | 'timeout' // no progress after every retry: an abandoned request
  | 'read-error'
  | 'socket-error'
  | 'worker-failed' // the worker thread running it died (transfer-pool.ts)
  | 'shutdown';

export interface TransferReport {
  readonly outcome: TransferOutcome;
  readonly bytesSent: number;
  readonly blocks: number;
  readonly retransmits: number;
  readonly durationMs: number;
  /** Answers caught while waiting awake (answer-spin.ts); absent when the transfer could not spin. */
  readonly awakeAnswers?: number;
  /** The client's ERROR code and message, or our reason for giving up. */
  readonly detail?: string;
}

export interface ReadTransferParams {
  /** Its own ephemeral port, the server's transfer ID (RFC 1350 §4): one socket connected to the peer, one for anyone else. */
  readonly sockets: TransferSockets;
  readonly peer: TftpPeer;
  readonly source: FileSource;
  readonly negotiated: Negotiated;
  /** Retransmission interval unless the client negotiated one (RFC 2349). */
  readonly timeoutMs: number;
  /** Retransmissions without progress before the transfer is abandoned. */
  readonly maxRetries: number;
  readonly now: () => number;
  readonly onEnd: (report: TransferReport) => void;
  /** Called once, when the peer first answers (a transfer worker tells the server). */
  readonly onAnswered?: () => void;
  /** Wait awake for answers, up to `maxNs`, while `alone()` (answer-spin.ts); needs the native peer socket. */
  readonly answerSpin?: { readonly maxNs: number; readonly alone: () => boolean };
}

/** Nanoseconds on a monotonic clock, for the answer-spin timings. */
const nowNs = (): number => performance.now() * 1e6;

const UNKNOWN_TID = encodeError(ErrorCode.UNKNOWN_TID, 'Unknown transfer ID');

/**
 * The retransmission timer ticks at a quarter of the timeout and counts ticks
 * with nothing sent; the sending path only zeroes a counter. Re-arming a timer
 * per block (Timeout.refresh: a clock read and a timer-list move) was ~4 % of
 * the server's CPU per block. A retransmission then leaves between 1 and 1.25
 * timeouts after the last packet (never earlier: the tick that reaches the count
 * is at least four full ticks after the reset).
 */
const TICKS_PER_TIMEOUT = 5;

function retransmitTick(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / (TICKS_PER_TIMEOUT - 1)));
}

/**
 * One read transfer (RFC 1350 with the RFC 2347 OACK and RFC 7440 windows).
 * The window's packets live in reused slots (block-slots.ts), filled once and
 * resent as they are; blocks are counted without limit and only their wire
 * numbers wrap (block-numbers.ts).
 *
 * Only a fresh ACK moves the transfer on. A duplicate ACK is ignored rather than
 * answered, which is what prevents the Sorcerer's Apprentice syndrome (RFC 1123
 * §4.2.3.1); lost packets are recovered by the timer alone.
 */
export class ReadTransfer {
  private readonly slots: BlockSlots;
  private readonly totalBlocks: number;
  private readonly window: number;
  private readonly timer: NodeJS.Timeout;
  /** Ticks of the retransmission clock since the last packet went out. */
  private idleTicks = 0;
  private readonly started: number;
  private phase: 'oack' | 'data' | 'done' = 'data';
  private acked = 0;
  private sent = 0;
  private cursor = 1;
  private filling = false;
  private retries = 0;
  private retransmits = 0;
  private bytesSent = 0;
  private oackPacket: Buffer | undefined;
  private readonly spin: AnswerSpin | undefined;
  /** False until the peer answers once: a repeated RRQ before that is the same request. */
  answered = false;

  constructor(private readonly p: ReadTransferParams) {
    const { blockSize, windowSize } = p.negotiated;
    this.window = windowSize;
    this.totalBlocks = Math.floor(p.source.size / blockSize) + 1;
    this.slots = new BlockSlots(Math.min(windowSize, this.totalBlocks), blockSize, p.negotiated.rolloverTo, p.source, p.sockets.peer);
    const { awaitReadable } = p.sockets.peer;
    this.spin = p.answerSpin && awaitReadable ? new AnswerSpin({ awaitReadable }, p.answerSpin.maxNs, p.answerSpin.alone, nowNs) : undefined;
    this.started = p.now();
    this.timer = setInterval(() => this.onTick(), retransmitTick(p.negotiated.timeoutMs ?? p.timeoutMs));
    p.sockets.peer.setHandler({ onDatagram: (data, length) => this.onMessage(data, length), onError: (err) => this.onSocketError(err) });
    p.sockets.strangers.on('message', (msg, rinfo) => this.onStranger(msg, rinfo));
    p.sockets.strangers.on('error', (err) => this.end('socket-error', err.message));
  }

  start(): void {
    if (this.p.negotiated.oack !== undefined) {
      this.phase = 'oack';
      this.oackPacket = encodeOack(this.p.negotiated.oack);
      this.send(this.oackPacket);
      this.spin?.afterSend();
      return;
    }
    this.pump();
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Ends the transfer from outside (server shutdown), telling the client why. */
  abort(message: string): void {
    if (this.phase === 'done') return;
    this.end('shutdown', message, encodeError(ErrorCode.NOT_DEFINED, message));
  }

  /** RFC 1350 §4: another TID gets ERROR 5 and the transfer goes on. */
  private onStranger(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.phase === 'done') return;
    // Never answer an ERROR with an ERROR: two servers could ping-pong forever.
    if (msg.length >= 2 && msg.readUInt16BE(0) === Opcode.ERROR) return;
    try {
      this.p.sockets.strangers.send(UNKNOWN_TID, 0, UNKNOWN_TID.length, rinfo.port, rinfo.address);
    } catch {
      // A stranger we cannot answer changes nothing for the transfer.
    }
  }

  /** Only the peer's datagrams arrive here (the kernel filters by the connected address); `msg` is valid during the call only. */
  private onMessage(msg: Buffer, length: number): void {
    if (this.phase === 'done') return;
    this.spin?.answered();
    if (length >= 4 && msg[0] === 0 && msg[1] === Opcode.ACK) {
      // The hot path: one ACK per block (or window), read without building a packet object.
      this.markAnswered();
      this.onAck(msg.readUInt16BE(2));
      return;
    }
    const decoded = decodePacket(length === msg.length ? msg : msg.subarray(0, length));
    if (!decoded.ok) return; // garbage from the peer's address is ignored, not fatal
    const packet = decoded.packet;
    if (packet.opcode === Opcode.ERROR) {
      this.markAnswered();
      this.end('peer-error', `${packet.code} ${packet.message}`);
    }
  }

  private markAnswered(): void {
    if (this.answered) return;
    this.answered = true;
    this.p.onAnswered?.();
  }

  private onAck(wire: number): void {
    if (this.phase === 'oack') {
      if (wire !== 0) return;
      this.phase = 'data';
      this.progress();
      return;
    }
    const block = absoluteBlock(wire, this.acked, this.sent, this.p.negotiated.rolloverTo);
    if (block === undefined || block <= this.acked) return; // duplicate or stale: no answer
    this.acked = block;
    if (block === this.totalBlocks) {
      this.end('complete');
      return;
    }
    // RFC 7440 §4: an ACK inside the window restarts the window after it.
    this.progress();
  }

  private progress(): void {
    this.retries = 0;
    this.cursor = this.acked + 1;
    this.pump();
  }

  /** Sends the window from the cursor: resends filled slots, fills and sends new blocks. */
  private pump(): void {
    const limit = Math.min(this.acked + this.window, this.totalBlocks);
    while (this.cursor <= limit && this.phase === 'data') {
      const block = this.cursor;
      if (block <= this.sent) {
        this.retransmits += 1;
      } else {
        if (this.filling) return;
        const read = this.slots.fill(block);
        if (typeof read !== 'number') {
          this.awaitFill(block, read);
          return;
        }
        this.sent = block;
        this.bytesSent += read;
      }
      this.slots.send(block);
      this.cursor = block + 1;
    }
    if (this.phase === 'done') return;
    this.idleTicks = 0;
    this.p.source.readAhead?.();
    this.spin?.afterSend();
  }

  private awaitFill(block: number, pending: Promise<number>): void {
    this.filling = true;
    pending.then(
      (read) => {
        this.filling = false;
        if (this.phase !== 'data') return;
        this.slots.filled(block, read);
        this.sent = block;
        this.bytesSent += read;
        if (this.cursor === block) {
          this.slots.send(block);
          this.cursor = block + 1;
        }
        this.pump();
      },
      (err: unknown) => {
        this.filling = false;
        this.end('read-error', err instanceof Error ? err.message : String(err), encodeError(ErrorCode.NOT_DEFINED, 'Read error'));
      },
    );
  }

  /** The retransmission clock: a timeout is TICKS_PER_TIMEOUT ticks with nothing sent. */
  private onTick(): void {
    this.idleTicks += 1;
    if (this.idleTicks < TICKS_PER_TIMEOUT) return;
    this.idleTicks = 0;
    this.onTimeout();
  }

  private onTimeout(): void {
    if (this.phase === 'done') return;
    this.retries += 1;
    if (this.retries > this.p.maxRetries) {
      const lastSent = this.phase === 'data' && this.sent === this.totalBlocks;
      this.end(lastSent ? 'complete-unconfirmed' : 'timeout', `no answer after ${this.p.maxRetries} retries`);
      return;
    }
    if (this.phase === 'oack' && this.oackPacket !== undefined) {
      this.retransmits += 1;
      this.send(this.oackPacket);
      this.idleTicks = 0;
      return;
    }
    this.cursor = this.acked + 1;
    this.pump();
  }

  /** To the connected peer: no address to look up or route per datagram; failures come back through onSocketError. */
  private send(packet: Buffer): void {
    this.p.sockets.peer.send(packet);
  }

  /**
   * A connected socket hears the ICMP "port unreachable" of a client that has
   * gone: the transfer ends at once instead of retrying into the void.
   */
  private onSocketError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if ((err as { code?: unknown } | null)?.code !== 'ECONNREFUSED') {
      this.end('socket-error', message);
      return;
    }
    const lastSent = this.phase === 'data' && this.sent === this.totalBlocks;
    this.end(lastSent ? 'complete-unconfirmed' : 'timeout', 'client port unreachable');
  }

  /** Ends once: timer, file and socket released; a last packet is sent before the socket closes. */
  private end(outcome: TransferOutcome, detail?: string, lastWord?: Buffer): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    clearInterval(this.timer);
    this.p.source.close();
    this.p.sockets.peer.close(outcome === 'socket-error' ? undefined : lastWord);
    try {
      this.p.sockets.strangers.close();
    } catch {
      // Already closed after a socket error.
    }
    const blocks = this.sent;
    const spun = this.spin === undefined ? {} : { awakeAnswers: this.spin.caught };
    this.p.onEnd({ outcome, bytesSent: this.bytesSent, blocks, retransmits: this.retransmits, durationMs: this.p.now() - this.started, ...spun, ...(detail === undefined ? {} : { detail }) });
  }
}
