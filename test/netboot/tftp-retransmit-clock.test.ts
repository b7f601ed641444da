import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../appliance/netboot/tftp/packets.ts';
import { RawPeer } from './tftp-support/raw-peer.ts';
import { startTftpFixture, waitFor, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * The retransmission clock (read-transfer.ts) ticks at a quarter of the timeout
 * and counts ticks with nothing sent, instead of re-arming a timer per block.
 * What must hold: a packet is never resent before a full timeout has passed
 * since it (or anything after it) went out, progress restarts the count, and
 * the clock stops with the transfer. Both worker threads and the server's own
 * thread run the same code.
 */

let peer: RawPeer;
beforeAll(async () => {
  peer = await RawPeer.open();
});
afterAll(() => peer.close());

// Timers never fire early by their own clock; 3 ms covers the difference
// between the loop's millisecond clock and hrtime in this process.
const SLACK_MS = 3;

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

for (const workers of [0, 1]) {
  describe(`retransmission clock (${workers === 0 ? "server's thread" : 'worker thread'})`, () => {
    let fx: TftpFixture;
    beforeAll(async () => {
      fx = await startTftpFixture({ timeoutMs: 240, maxRetries: 2, workers });
    });
    afterAll(async () => fx?.close());

    it('resends no sooner than one timeout after the last packet, and counts again after each ACK', async () => {
      peer.drain();
      peer.rrq(fx.port, 'f1048576');
      const first = await peer.next();
      const firstAt = process.hrtime.bigint();
      expect(first.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
      const resent = await peer.next();
      expect(resent.raw.equals(first.raw)).toBe(true);
      expect(ms(firstAt)).toBeGreaterThanOrEqual(240 - SLACK_MS);
      // Progress: block 2 comes at once, its own retransmission a timeout later.
      peer.ack(first.port, 1);
      const second = await peer.next();
      const secondAt = process.hrtime.bigint();
      expect(second.packet).toMatchObject({ opcode: Opcode.DATA, block: 2 });
      const resentSecond = await peer.next();
      expect(resentSecond.raw.equals(second.raw)).toBe(true);
      expect(ms(secondAt)).toBeGreaterThanOrEqual(240 - SLACK_MS);
      // Then nothing but the retries left, and the end of the transfer.
      const ended = fx.events.length;
      await waitFor(() => fx.events.length > ended, 'the abandoned transfer to end');
      expect(fx.events.at(-1)).toMatchObject({ outcome: 'timeout', retransmits: 3 });
      expect(fx.server.activeTransfers).toBe(0);
    });

    it('a transfer that ends sends nothing more (its clock stops with it)', async () => {
      peer.drain();
      peer.rrq(fx.port, 'f511');
      const only = await peer.next();
      expect(only.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
      peer.ack(only.port, 1);
      await waitFor(() => fx.events.at(-1)?.outcome === 'complete', 'completion');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(peer.drain()).toHaveLength(0);
    });
  });
}
