import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAck } from '../../appliance/netboot/tftp/packet-encode.ts';
import { ErrorCode, Opcode } from '../../appliance/netboot/tftp/packets.ts';
import { RawPeer, rawFetch } from './tftp-support/raw-peer.ts';
import { pattern, startTftpFixture, waitFor, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * Each transfer's port is held by a socket connect()ed to its client and an
 * unconnected one (udp-socket.ts openTransferSockets): strangers still get
 * ERROR 5 from that port (RFC 1350 §4), and a client that has gone is noticed
 * from the ICMP "port unreachable" instead of after every retry.
 */

// Giving up on retries would take 12 s and say so in its detail; each retry also
// draws a new ICMP, which the kernel's global ICMP rate limit may have dropped once.
const SLOW = { timeoutMs: 2000, maxRetries: 5 };
let fx: TftpFixture;
let local: TftpFixture;

beforeAll(async () => {
  fx = await startTftpFixture(SLOW);
  local = await startTftpFixture({ ...SLOW, workers: 0 });
});

afterAll(async () => {
  await fx.close();
  await local.close();
});

describe.each([
  ['in a worker', () => fx],
  ['in the server thread', () => local],
])('transfer sockets %s', (_where, server) => {
  it('strangers on another address or port get ERROR 5 from the transfer port; the transfer goes on', async () => {
    const peer = await RawPeer.open();
    const strangers = await Promise.all([RawPeer.open('127.0.0.2'), RawPeer.open()]);
    try {
      let tid = 0;
      const got = await rawFetch(peer, server().port, 'f1048576', [], {
        afterData: (block, port) => {
          if (block !== 2) return;
          tid = port;
          for (const s of strangers) s.ack(port, 2);
        },
      });
      expect(got.data.equals(pattern(1024 * 1024, 1024 * 1024))).toBe(true);
      await waitFor(() => server().server.activeTransfers === 0, 'the last ACK to reach the server');
      expect(server().events.at(-1)).toMatchObject({ outcome: 'complete', bytesSent: 1024 * 1024 });
      for (const s of strangers) {
        const answer = await s.next();
        expect(answer.port).toBe(tid);
        expect(answer.packet).toEqual({ opcode: Opcode.ERROR, code: ErrorCode.UNKNOWN_TID, message: 'Unknown transfer ID' });
      }
    } finally {
      peer.close();
      for (const s of strangers) s.close();
    }
  });

  it.each([
    ['f1048576', 'timeout'],
    ['f513', 'complete-unconfirmed'],
  ])('a client that closes its port after ACK 1 (%s) ends the transfer at once: %s', async (file, outcome) => {
    const peer = await RawPeer.open();
    const before = server().events.length;
    peer.rrq(server().port, file);
    const first = await peer.next();
    expect(first.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
    // Closed once the ACK is out (dgram's default lookup defers the send).
    await new Promise<void>((resolve) => peer.socket.send(encodeAck(1), first.port, '127.0.0.1', () => resolve()));
    peer.close();
    await waitFor(() => server().events.length > before, 'the transfer to end', 15_000);
    expect(server().events.at(-1)).toMatchObject({ file, outcome, detail: 'client port unreachable' });
    expect(server().server.activeTransfers).toBe(0);
  });
});
