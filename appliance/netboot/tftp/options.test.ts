import { describe, expect, it } from 'vitest';
import { negotiateRead } from './options.ts';

const limits = { maxBlockSize: 1468, maxWindowSize: 16 };
const ask = (pairs: [string, string][], size = 1000, l = limits) => negotiateRead(new Map(pairs), size, l);

describe('negotiateRead (RFC 2347/2348/2349/7440)', () => {
  it('uses the RFC 1350 defaults and sends no OACK when nothing is asked', () => {
    expect(ask([])).toEqual({ blockSize: 512, windowSize: 1, timeoutMs: undefined, rolloverTo: 0, oack: undefined });
  });

  it('caps blksize at the configured maximum and answers the capped value', () => {
    const n = ask([['blksize', '65464']]);
    expect(n.blockSize).toBe(1468);
    expect([...(n.oack ?? [])]).toEqual([['blksize', '1468']]);
    expect(ask([['blksize', '1024']]).blockSize).toBe(1024);
    expect(ask([['blksize', '8']]).blockSize).toBe(8);
    expect(negotiateRead(new Map([['blksize', '9000']]), 0, { maxBlockSize: 8192, maxWindowSize: 1 }).blockSize).toBe(8192);
  });

  it('leaves out-of-range or non-decimal values out of the OACK instead of failing', () => {
    for (const bad of ['7', '65465', '0x200', '1e3', ' 512', '', '-1', '99999999999']) {
      const n = ask([['blksize', bad]]);
      expect(n.blockSize, bad).toBe(512);
      expect(n.oack, bad).toBeUndefined();
    }
    expect(ask([['timeout', '0']]).oack).toBeUndefined();
    expect(ask([['timeout', '256']]).oack).toBeUndefined();
    expect(ask([['windowsize', '0']]).oack).toBeUndefined();
    expect(ask([['rollover', '2']]).oack).toBeUndefined();
  });

  it('answers tsize with the transfer size whatever the client sent (atftp sends "enable")', () => {
    expect([...(ask([['tsize', '0']], 74213).oack ?? [])]).toEqual([['tsize', '74213']]);
    expect([...(ask([['tsize', 'enable']], 0).oack ?? [])]).toEqual([['tsize', '0']]);
  });

  it('echoes timeout in seconds and uses it as the retransmission interval', () => {
    const n = ask([['timeout', '6']]);
    expect(n.timeoutMs).toBe(6000);
    expect([...(n.oack ?? [])]).toEqual([['timeout', '6']]);
  });

  it('caps windowsize, and a cap of 1 turns windowing off', () => {
    expect(ask([['windowsize', '64']]).windowSize).toBe(16);
    expect(ask([['windowsize', '4']]).windowSize).toBe(4);
    const off = negotiateRead(new Map([['windowsize', '8']]), 0, { maxBlockSize: 1468, maxWindowSize: 1 });
    expect(off.windowSize).toBe(1);
    expect([...(off.oack ?? [])]).toEqual([['windowsize', '1']]);
  });

  it('accepts rollover 0 or 1, ignores unknown options, keeps the request order', () => {
    const n = ask([['multicast', ''], ['rollover', '1'], ['tsize', '0'], ['blksize', '1468']], 5);
    expect(n.rolloverTo).toBe(1);
    expect([...(n.oack ?? [])]).toEqual([['rollover', '1'], ['tsize', '5'], ['blksize', '1468']]);
  });
});
