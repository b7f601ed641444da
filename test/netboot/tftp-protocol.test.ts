import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeError } from '../../appliance/netboot/tftp/packet-encode.ts';
import { ErrorCode, Opcode } from '../../appliance/netboot/tftp/packets.ts';
import { npmFetch } from './tftp-support/npm-client.ts';
import { RawPeer, rawFetch } from './tftp-support/raw-peer.ts';
import { pattern, startTftpFixture, waitFor, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * Protocol behaviour with a hand-driven peer: TIDs, duplicate ACKs, windows,
 * the UEFI tsize probe, retransmission. The npm `tftp` server failed the first
 * two groups (docs/netboot.md); these are their regression tests.
 */

const MB = pattern(1048576, 1048576);
let patient: TftpFixture; // 10 s timeout: any duplicate DATA seen is not from the timer
let peer: RawPeer;
let stranger: RawPeer;

beforeAll(async () => {
  patient = await startTftpFixture({ timeoutMs: 10_000 });
  peer = await RawPeer.open();
  stranger = await RawPeer.open();
});

// A test reads the last report: the transfers of the test before must have reported first.
beforeEach(async () => patient.settled());

afterAll(async () => {
  peer?.close();
  stranger?.close();
  await patient?.close();
});

describe('transfer IDs (RFC 1350 §4)', () => {
  it('serves each transfer from its own port, not the request port', async () => {
    const got = await rawFetch(peer, patient.port, 'f513');
    expect(got.tid).not.toBe(patient.port);
    expect(got.data.equals(pattern(513, 513))).toBe(true);
  });

  it('a 1-byte datagram to a transfer port, from the peer or anyone, changes nothing', async () => {
    const got = await rawFetch(peer, patient.port, 'f1048576', [], {
      afterData: (block, tid) => {
        if (block !== 3) return;
        peer.send(Buffer.from([1]), tid);
        stranger.send(Buffer.from([1]), tid);
        peer.send(Buffer.alloc(0), tid);
      },
    });
    expect(got.data.equals(MB)).toBe(true);
    expect(await stranger.next()).toMatchObject({ packet: { opcode: Opcode.ERROR, code: ErrorCode.UNKNOWN_TID } });
  });

  it('a spoofed ERROR from another port does not abort the transfer; an ACK from it gets ERROR 5', async () => {
    stranger.drain();
    const got = await rawFetch(peer, patient.port, 'f1048576', [['blksize', '1468']], {
      afterData: (block, tid) => {
        if (block !== 2) return;
        stranger.send(encodeError(ErrorCode.NOT_DEFINED, 'spoofed abort'), tid);
        stranger.ack(tid, 2);
      },
    });
    expect(got.data.equals(MB)).toBe(true);
    const answers = [await stranger.next()];
    expect(answers.map((a) => a.packet)).toEqual([{ opcode: Opcode.ERROR, code: ErrorCode.UNKNOWN_TID, message: 'Unknown transfer ID' }]);
    await waitFor(() => patient.events.at(-1)?.bytesSent === 1048576 && patient.server.activeTransfers === 0, 'the transfer to be reported');
    expect(patient.events.at(-1)).toMatchObject({ outcome: 'complete', bytesSent: 1048576 });
  });

  it('a retransmitted RRQ (same peer, same bytes, no answer yet) does not start a second transfer', async () => {
    const before = patient.server.stats.duplicates;
    peer.drain();
    peer.rrq(patient.port, 'f511');
    peer.rrq(patient.port, 'f511');
    const first = await peer.next();
    expect(first.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
    peer.ack(first.port, 1);
    await waitFor(() => patient.server.stats.duplicates > before, 'the duplicate to be counted');
    expect(peer.drain().filter((r) => r.port !== first.port)).toEqual([]);
  });
});

describe('no Sorcerer’s Apprentice syndrome (RFC 1123 §4.2.3.1)', () => {
  it('duplicate ACKs never trigger duplicate DATA, lock-step', async () => {
    const got = await rawFetch(peer, patient.port, 'f1048576', [], {
      afterData: (block, tid) => peer.ack(tid, block & 0xffff), // each ACK arrives twice
    });
    expect(got.data.equals(MB)).toBe(true);
    expect(got.blocks.length).toBe(2049);
    expect(new Set(got.blocks).size).toBe(2049);
  });

  it('nor in windowed mode', async () => {
    const got = await rawFetch(peer, patient.port, 'f1048576', [['windowsize', '8'], ['blksize', '1468']], {
      afterData: (block, tid) => {
        if (block % 8 === 0) peer.ack(tid, block);
      },
    });
    expect(got.data.equals(MB)).toBe(true);
    expect(got.blocks.length).toBe(715);
  });
});

describe('windows (RFC 7440)', () => {
  it('sends a full window, and an ACK inside it restarts the window after that block', async () => {
    peer.drain();
    peer.rrq(patient.port, 'f1048576', [['windowsize', '4']]);
    const oack = await peer.next();
    expect(oack.packet).toEqual({ opcode: Opcode.OACK, options: new Map([['windowsize', '4']]) });
    peer.ack(oack.port, 0);
    const first = [];
    for (let i = 0; i < 4; i += 1) first.push((await peer.next()).packet);
    expect(first.map((p) => (p?.opcode === Opcode.DATA ? p.block : -1))).toEqual([1, 2, 3, 4]);
    peer.ack(oack.port, 2); // blocks 3 and 4 "lost"
    const next = [];
    for (let i = 0; i < 4; i += 1) next.push((await peer.next()).packet);
    expect(next.map((p) => (p?.opcode === Opcode.DATA ? p.block : -1))).toEqual([3, 4, 5, 6]);
    peer.send(encodeError(ErrorCode.NOT_DEFINED, 'enough'), oack.port);
    await waitFor(() => patient.events.at(-1)?.outcome === 'peer-error', 'the transfer to end');
  });

  it('falls back to lock-step when the client asks no window, or the cap is 1', async () => {
    const plain = await rawFetch(peer, patient.port, 'f1048576', [['blksize', '1468']]);
    expect(plain.oack?.has('windowsize')).toBe(false);
    expect(plain.data.equals(MB)).toBe(true);
    const capped = await startTftpFixture({ maxWindowSize: 1 });
    try {
      const got = await rawFetch(peer, capped.port, 'f1048576', [['windowsize', '16']]);
      expect(got.oack?.get('windowsize')).toBe('1');
      expect(got.data.equals(MB)).toBe(true);
    } finally {
      await capped.close();
    }
  });

  it('the npm tftp client (window 4, blksize 1468, rollover option) gets intact files', async () => {
    for (const size of [0, 511, 512, 513, 1048576]) {
      const got = await npmFetch(patient.port, `f${size}`, { windowSize: 4 });
      expect(got.data.equals(pattern(size, size)), `f${size}`).toBe(true);
      expect({ blockSize: got.blockSize, windowSize: got.windowSize, size: got.size }).toEqual({ blockSize: 1468, windowSize: 4, size });
    }
  });
});

describe('the UEFI (OVMF) tsize probe', () => {
  it('asks tsize, aborts with ERROR 8, asks again from the same port: both served', async () => {
    peer.drain();
    const probe: [string, string][] = [['tsize', '0'], ['blksize', '1468']];
    peer.rrq(patient.port, 'f1048576', probe);
    const oack = await peer.next();
    expect(oack.packet).toEqual({ opcode: Opcode.OACK, options: new Map([['tsize', '1048576'], ['blksize', '1468']]) });
    peer.send(encodeError(ErrorCode.OPTION_REFUSED, 'tsize probe done'), oack.port);
    await waitFor(() => patient.events.at(-1)?.outcome === 'peer-error', 'the probe to end');
    expect(patient.events.at(-1)).toMatchObject({ detail: '8 tsize probe done', bytesSent: 0 });
    const got = await rawFetch(peer, patient.port, 'f1048576', probe);
    expect(got.tid).not.toBe(oack.port);
    expect(got.data.equals(MB)).toBe(true);
  });
});

describe('retransmission', () => {
  let hasty: TftpFixture;
  beforeAll(async () => {
    // Short enough to watch retries, long enough for a loaded machine to ACK in time.
    hasty = await startTftpFixture({ timeoutMs: 200, maxRetries: 3 });
  });
  beforeEach(async () => hasty.settled());
  afterAll(async () => hasty?.close());

  it('resends the unacknowledged block, then goes on when the ACK comes', async () => {
    peer.drain();
    peer.rrq(hasty.port, 'f513');
    const first = await peer.next();
    const again = await peer.next();
    expect(again.raw.equals(first.raw)).toBe(true);
    peer.ack(first.port, 1);
    for (;;) {
      const got = await peer.next();
      if (got.packet?.opcode === Opcode.DATA && got.packet.block === 2) {
        peer.ack(first.port, 2);
        break;
      }
    }
    await waitFor(() => hasty.events.at(-1)?.outcome === 'complete', 'completion');
  });

  it('gives up after maxRetries and says so (OACK and DATA alike)', async () => {
    for (const options of [[], [['tsize', '0']]] as [string, string][][]) {
      const ended = hasty.events.length;
      peer.drain();
      peer.rrq(hasty.port, 'f1048576', options);
      await waitFor(() => hasty.events.length > ended, 'the abandoned transfer to end');
      expect(hasty.events.at(-1)).toMatchObject({ outcome: 'timeout', retransmits: 3 });
      expect(peer.drain().length).toBe(4); // the first packet and 3 retransmissions
    }
  });

  it('a last block whose ACK never comes is "complete-unconfirmed", not an error', async () => {
    const ended = hasty.events.length;
    peer.drain();
    peer.rrq(hasty.port, 'f0');
    await waitFor(() => hasty.events.length > ended, 'the transfer to end');
    expect(hasty.events.at(-1)).toMatchObject({ outcome: 'complete-unconfirmed' });
  });
});
