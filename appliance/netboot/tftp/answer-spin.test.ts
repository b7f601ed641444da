import { describe, expect, it } from 'vitest';
import { AnswerSpin, MIN_SPIN_NS } from './answer-spin.ts';

/** A peer whose answers come `answerAfterNs` after each send (-1: never within the spin), on a fake clock. */
function fixture(maxNs = 100_000) {
  const state = { now: 0, answerAfterNs: 30_000, alone: true, spins: [] as number[], spentNs: 0 };
  const peer = {
    awaitReadable(budget: number): number {
      state.spins.push(budget);
      const hit = state.answerAfterNs >= 0 && state.answerAfterNs <= budget;
      state.spentNs += hit ? state.answerAfterNs : budget;
      return hit ? state.answerAfterNs : -1;
    },
  };
  const spin = new AnswerSpin(peer, maxNs, () => state.alone, () => state.now);
  /** One block: send, then the answer arrives (asleep or during the spin). */
  const block = (rttNs = state.answerAfterNs) => {
    spin.afterSend();
    state.now += rttNs;
    spin.answered();
  };
  return { state, spin, block };
}

describe('AnswerSpin (waiting awake for the client only while it pays)', () => {
  it('starts asleep; a fast answer makes the next waits spin up to the maximum', () => {
    const { state, spin, block } = fixture();
    block(80_000); // asleep: the answer came 80 µs after the send (< 100 µs)
    expect(state.spins).toEqual([]);
    expect(spin.spinBudgetNs).toBe(100_000);
    block();
    block();
    expect(state.spins).toEqual([100_000, 100_000]);
    expect(spin.caught).toBe(2);
  });

  it('a slow client (answers after the maximum) is never spun for', () => {
    const { state, spin, block } = fixture();
    for (let i = 0; i < 100; i += 1) block(300_000);
    expect(state.spins).toEqual([]);
    expect(spin.spinBudgetNs).toBe(0);
  });

  it('spins that come back empty halve the budget and stop under the minimum; a fast answer restarts them', () => {
    const { state, spin, block } = fixture();
    block(50_000);
    state.answerAfterNs = -1; // the client slows down (or a packet is lost)
    for (let i = 0; i < 10; i += 1) block(500_000);
    expect(state.spins).toEqual([100_000, 50_000, 25_000, 12_500]);
    expect(12_500 / 2).toBeLessThan(MIN_SPIN_NS);
    expect(spin.spinBudgetNs).toBe(0);
    // The CPU thrown away on the way down is bounded: about twice the maximum.
    expect(state.spentNs).toBe(187_500);
    state.answerAfterNs = 20_000;
    block(60_000); // asleep again, and fast
    block();
    expect(state.spins.at(-1)).toBe(100_000);
  });

  it('never spins while the thread has other work, and times the answer instead', () => {
    const { state, spin, block } = fixture();
    block(40_000);
    state.alone = false;
    for (let i = 0; i < 5; i += 1) block();
    expect(state.spins).toEqual([]);
    expect(spin.spinBudgetNs).toBe(100_000);
    state.alone = true;
    block();
    expect(state.spins).toEqual([100_000]);
  });

  it('an answer without a send before it (a duplicate, a stray datagram) changes nothing', () => {
    const { state, spin } = fixture();
    state.now = 5;
    spin.answered();
    spin.answered();
    expect(spin.spinBudgetNs).toBe(0);
  });
});
