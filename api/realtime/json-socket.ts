import type { WebSocket } from 'ws';
import type { RealtimeLog } from './realtime-log.ts';

/** A peer that stopped reading: past this much queued output it is cut off rather than let memory grow. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Close code for a peer too slow to read its messages (application range, RFC 6455 §7.4.2). */
export const CLOSE_TOO_SLOW = 4029;

/**
 * One WebSocket speaking validated JSON messages. Until `open()` the
 * pushes are held, so the first message a peer reads is always its greeting
 * (connection_established, snapshot) and nothing overtakes it. Incoming
 * messages are handled one at a time, in order.
 */
export class JsonSocket<Out extends { type: string }> {
  private ready = false;
  private held: Out[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private readonly encode: (message: Out) => string,
    private readonly log: RealtimeLog,
    /** Told of each handler run, so a shutdown can wait for them before closing the database. */
    private readonly track: (work: Promise<void>) => void = () => {},
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Sends now, or holds it until open(). False if the socket is closed. */
  push(message: Out): boolean {
    if (!this.isOpen) return false;
    if (!this.ready) {
      this.held.push(message);
      return true;
    }
    return this.write(message);
  }

  /** Sends the greeting, then everything held meanwhile. */
  open(greeting: Out): void {
    this.write(greeting);
    this.ready = true;
    const held = this.held;
    this.held = [];
    for (const message of held) this.write(message);
  }

  /** Replaces what is held (a snapshot made them stale): keep only those `keep` approves. */
  filterHeld(keep: (message: Out) => boolean): void {
    this.held = this.held.filter(keep);
  }

  /** A direct answer to the peer (errors, replies): never held. */
  reply(message: Out): boolean {
    return this.write(message);
  }

  /** Runs incoming work one at a time; a failure is logged and never stops the queue. */
  serial(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => this.log.error({ err: error }, 'websocket: a message handler failed'));
    this.track(this.queue);
    return this.queue;
  }

  /** Resolves when incoming work queued so far is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.socket.close(code, reason);
  }

  private write(message: Out): boolean {
    if (!this.isOpen) return false;
    let text: string;
    try {
      text = this.encode(message);
    } catch (error) {
      this.log.error({ err: error, type: message.type }, 'websocket: outgoing message refused by its schema');
      return false;
    }
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ bufferedAmount: this.socket.bufferedAmount }, 'websocket: peer does not read its messages; closing');
      this.socket.close(CLOSE_TOO_SLOW, 'too slow');
      return false;
    }
    this.socket.send(text);
    return true;
  }
}
