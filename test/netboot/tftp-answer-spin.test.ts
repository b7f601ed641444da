import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, rawFetch } from './tftp-support/raw-peer.ts';
import { curlFetch } from './tftp-support/real-clients.ts';
import { pattern, sha256, startTftpFixture, waitFor } from './tftp-support/tftp-fixture.ts';

/*
 * Waiting awake for the client's answer (answer-spin.ts, `answerSpinMicros`): a
 * transfer alone on its worker spins only while answers come fast, the bytes are
 * the same either way, and a slow client or the server's own thread never makes
 * it spin. The report's `awakeAnswers` counts the answers a spin caught.
 */

let peer: RawPeer;
beforeAll(async () => {
  peer = await RawPeer.open();
});
afterAll(() => peer.close());

describe('waiting awake for answers (answerSpinMicros)', () => {
  it('a fast client on loopback: answers are caught awake, the file arrives whole', async () => {
    // 10 ms: generous for a loaded test machine, the policy is what is checked here.
    const fx = await startTftpFixture({ workers: 1, answerSpinMicros: 10_000 });
    try {
      const run = await curlFetch(fx.port, 'f1048576', { blockSize: 1468 });
      expect(run.code, run.output).toBe(0);
      expect(sha256(run.data as Buffer)).toBe(sha256(pattern(1048576, 1048576)));
      await waitFor(() => fx.events.length === 1, 'the transfer report');
      const event = fx.events[0]!;
      expect(event.outcome).toBe('complete');
      // 715 blocks: after the first fast answer, most of the rest come during a spin.
      expect(event.awakeAnswers).toBeGreaterThan(100);
    } finally {
      await fx.close();
    }
  });

  it('while the server runs more transfers than workers less one, none spins (the clients may need the cores)', async () => {
    const fx = await startTftpFixture({ workers: 2, answerSpinMicros: 10_000 });
    try {
      // Transfer A is held after its first block; B runs whole on the other worker meanwhile.
      let release: () => void = () => {};
      const held = new Promise<void>((r) => (release = r));
      let heldNow = false;
      const a = rawFetch(peer, fx.port, 'f1048576', [['blksize', '1468']], {
        afterData: (block) => {
          if (block !== 1) return;
          heldNow = true;
          return held;
        },
      });
      await waitFor(() => heldNow, 'transfer A to be under way');
      const b = await curlFetch(fx.port, 'f1048576', { blockSize: 1468 });
      expect(b.code, b.output).toBe(0);
      await waitFor(() => fx.events.length === 1, 'the report of B');
      expect(fx.events[0]).toMatchObject({ outcome: 'complete', awakeAnswers: 0 });
      release();
      expect((await a).data.equals(pattern(1048576, 1048576))).toBe(true);
      await waitFor(() => fx.events.length === 2, 'the report of A');
      // Alone again once B had ended: A's answers were caught awake.
      expect(fx.events[1]!.awakeAnswers).toBeGreaterThan(100);
    } finally {
      await fx.close();
    }
  });

  it('a client slower than the budget is never spun for', async () => {
    const fx = await startTftpFixture({ workers: 1, answerSpinMicros: 100 });
    try {
      // 1 ms or more before each ACK: ten times the 100 µs budget.
      const got = await rawFetch(peer, fx.port, 'f1048576', [['blksize', '8192']], { afterData: () => new Promise((r) => setTimeout(r, 1)) });
      expect(got.data.equals(pattern(1048576, 1048576))).toBe(true);
      await waitFor(() => fx.events.length === 1, 'the transfer report');
      expect(fx.events[0]).toMatchObject({ outcome: 'complete', awakeAnswers: 0 });
    } finally {
      await fx.close();
    }
  });

  it('answerSpinMicros 0, or transfers in the server thread: no spin at all', async () => {
    for (const options of [{ workers: 1, answerSpinMicros: 0 }, { workers: 0 }]) {
      const fx = await startTftpFixture(options);
      try {
        const got = await rawFetch(peer, fx.port, 'f1048576', [['blksize', '1468']]);
        expect(got.data.equals(pattern(1048576, 1048576))).toBe(true);
        await waitFor(() => fx.events.length === 1, 'the transfer report');
        expect(fx.events[0]!.outcome).toBe('complete');
        expect(fx.events[0]!.awakeAnswers, JSON.stringify(options)).toBeUndefined();
      } finally {
        await fx.close();
      }
    }
  });

  it('a lost ACK during spins: the retransmission clock still recovers the transfer', async () => {
    const fx = await startTftpFixture({ workers: 1, answerSpinMicros: 10_000, timeoutMs: 200 });
    try {
      let dropped = false;
      const got = await rawFetch(peer, fx.port, 'f1048576', [['blksize', '1468']], {
        afterData: (block) => {
          // The client "loses" block 300 once: it waits for the resend instead of answering.
          if (block === 300 && !dropped) {
            dropped = true;
            return new Promise((r) => setTimeout(r, 500));
          }
        },
      });
      expect(got.data.equals(pattern(1048576, 1048576))).toBe(true);
      await waitFor(() => fx.events.length === 1, 'the transfer report');
      expect(fx.events[0]).toMatchObject({ outcome: 'complete' });
      expect(fx.events[0]!.retransmits).toBeGreaterThanOrEqual(1);
    } finally {
      await fx.close();
    }
  });

  it('an answerSpinMicros out of range is refused with a clear error', async () => {
    for (const answerSpinMicros of [-1, 10_001, 1.5]) {
      await expect(startTftpFixture({ answerSpinMicros })).rejects.toMatchObject({ code: 'TFTP_OPTION_INVALID' });
    }
  });
});
