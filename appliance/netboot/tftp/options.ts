import { DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, type WireOptions } from './packets.ts';

/** What the server allows; the client may ask for less, never more. */
export interface NegotiationLimits {
  /** Largest DATA payload offered (RFC 2348). 1468 fits one 1500-byte Ethernet frame. */
  readonly maxBlockSize: number;
  /** Largest window offered (RFC 7440); 1 turns windowing off. */
  readonly maxWindowSize: number;
}

/** The parameters a read transfer runs with, and the OACK that announces them. */
export interface Negotiated {
  readonly blockSize: number;
  readonly windowSize: number;
  /** Retransmission interval the client asked for (RFC 2349), or undefined: the server's default. */
  readonly timeoutMs: number | undefined;
  /** Block number after 65535: 0 (what tftp-hpa, curl and iPXE expect) unless the client asked for 1. */
  readonly rolloverTo: 0 | 1;
  /** Options to acknowledge, in the client's order; undefined when none was accepted (RFC 2347: then DATA 1 answers the RRQ). */
  readonly oack: ReadonlyMap<string, string> | undefined;
}

/**
 * Option negotiation for a read request (RFC 2347). An option with a value out
 * of range is left out of the OACK rather than refused with ERROR 8: firmware
 * then falls back to the RFC 1350 default, which boots, where an error would not.
 */
export function negotiateRead(requested: WireOptions, transferSize: number, limits: NegotiationLimits): Negotiated {
  let blockSize = DEFAULT_BLOCK_SIZE;
  let windowSize = 1;
  let timeoutMs: number | undefined;
  let rolloverTo: 0 | 1 = 0;
  const oack = new Map<string, string>();
  for (const [name, raw] of requested) {
    const value = parseDecimal(raw);
    switch (name) {
      case 'blksize':
        // RFC 2348: 8..65464; the server may answer a smaller size than asked.
        if (value !== undefined && value >= MIN_BLOCK_SIZE && value <= MAX_BLOCK_SIZE) {
          blockSize = Math.min(value, limits.maxBlockSize);
          oack.set(name, String(blockSize));
        }
        break;
      case 'tsize':
        // RFC 2349: a reader sends 0 and learns the size. atftp 0.8 sends "enable": same meaning.
        oack.set(name, String(transferSize));
        break;
      case 'timeout':
        // RFC 2349: 1..255 seconds, echoed unchanged. npm `tftp` sends milliseconds (e.g. 3000): ignored.
        if (value !== undefined && value >= 1 && value <= 255) {
          timeoutMs = value * 1000;
          oack.set(name, String(value));
        }
        break;
      case 'windowsize':
        // RFC 7440: 1..65535; the server may answer a smaller window.
        if (value !== undefined && value >= 1 && value <= 65535) {
          windowSize = Math.max(1, Math.min(value, limits.maxWindowSize));
          oack.set(name, String(windowSize));
        }
        break;
      case 'rollover':
        // De facto option (tftp-hpa, npm `tftp`): the block number that follows 65535.
        if (value === 0 || value === 1) {
          rolloverTo = value;
          oack.set(name, String(value));
        }
        break;
      default:
        // RFC 2347: unknown options are simply not acknowledged.
        break;
    }
  }
  return { blockSize, windowSize, timeoutMs, rolloverTo, oack: oack.size > 0 ? oack : undefined };
}

/** Plain decimal digits only: "1e3", "0x10", " 512" and "" are not numbers on the wire. */
function parseDecimal(raw: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(raw)) return undefined;
  return Number(raw);
}
