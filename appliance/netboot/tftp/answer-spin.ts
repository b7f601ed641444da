/**
 * How long a transfer busy-waits for its client's answer after sending, instead of
 * putting its thread to sleep.
 *
 * Lock-step TFTP (RFC 1350) is one round trip per block: the server sends, the client
 * answers, the server sends the next. When the thread sleeps between the two, each
 * block also pays for waking it. On the box's virtual machines a wake-up on another
 * CPU costs ~20-25 µs — as much as the rest of the round trip on a fast link — and
 * which CPU the two ends land on is the scheduler's choice per block (measured in
 * docs/performance.md). Waiting awake removes our half of that cost whatever the
 * placement; it spends CPU, so it is done only while it pays, as the kernel's
 * haltpoll idle governor does for a whole CPU:
 *
 * - an answer that came while sleeping, sooner than `maxNs` after the send, says the
 *   link is fast: the next waits spin up to `maxNs`;
 * - a spin that ends with nothing halves the budget, and under MIN_SPIN_NS it stops
 *   (a slow client, a loaded box, a lost packet), until a fast answer again.
 *
 * A slow station (real firmware over a real switch answers in 0.1-1 ms) thus costs a
 * few short spins, then none. Only a worker's only transfer spins, and only while
 * the server runs few transfers (transfer-worker.ts): a spin holds its thread, and
 * spinners must leave a core to everything else.
 */
export const MIN_SPIN_NS = 10_000;

export interface SpinningPeer {
  /** The nanoseconds until an answer was waiting, or -1 after `maxNs` with none. */
  awaitReadable(maxNs: number): number;
}

export class AnswerSpin {
  /** What the next wait may spin, 0 for none. */
  private budgetNs = 0;
  /** When the last packet left, while sleeping (to time the answer); -1 when not timing. */
  private sentAt = -1;
  /** Answers that were waiting when a spin ended. */
  private caughtAwake = 0;

  constructor(
    private readonly peer: SpinningPeer,
    private readonly maxNs: number,
    /** False while spinning would hold up other work (transfer-worker.ts mayWaitAwake): no spin then. */
    private readonly alone: () => boolean,
    private readonly nowNs: () => number,
  ) {}

  /** After the last packet of a send: spin if it pays, else note the time and let the loop sleep. */
  afterSend(): void {
    if (this.budgetNs === 0 || !this.alone()) {
      this.sentAt = this.nowNs();
      return;
    }
    this.sentAt = -1;
    if (this.peer.awaitReadable(this.budgetNs) >= 0) {
      this.caughtAwake += 1;
      return;
    }
    this.budgetNs = Math.floor(this.budgetNs / 2);
    if (this.budgetNs < MIN_SPIN_NS) this.budgetNs = 0;
  }

  /** The client's answer arrived (any datagram from it). */
  answered(): void {
    if (this.sentAt < 0) return;
    if (this.nowNs() - this.sentAt <= this.maxNs) this.budgetNs = this.maxNs;
    this.sentAt = -1;
  }

  /** The current budget in nanoseconds (tests). */
  get spinBudgetNs(): number {
    return this.budgetNs;
  }

  /** How many answers a spin caught (the transfer's report). */
  get caught(): number {
    return this.caughtAwake;
  }
}
