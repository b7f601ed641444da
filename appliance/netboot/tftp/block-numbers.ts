/**
 * Block numbers are 16 bits on the wire (RFC 1350) but a transfer counts blocks
 * without limit: a file over 65535 blocks (32 MB at 512 bytes) wraps. After 65535
 * comes 0 by default (tftp-hpa, curl, iPXE) or 1 when the client negotiated
 * `rollover 1`. Block 0 otherwise only names the ACK of an OACK.
 */
export function wireBlock(absolute: number, rolloverTo: 0 | 1): number {
  if (rolloverTo === 0 || absolute <= 0xffff) return absolute & 0xffff;
  return ((absolute - 1) % 0xffff) + 1;
}

/**
 * Maps a wire block number from an ACK back to the absolute block it names,
 * searching only [base, last]: base is the newest block already acknowledged,
 * last the newest block sent. Undefined when the ACK names no block in that
 * range (stale, from the future, or 0 after a rollover to 1).
 */
export function absoluteBlock(wire: number, base: number, last: number, rolloverTo: 0 | 1): number | undefined {
  if (base === 0 && wire <= last) return wire;
  const modulus = rolloverTo === 0 ? 0x10000 : 0xffff;
  if (rolloverTo === 1 && wire === 0) return undefined;
  const baseWire = wireBlock(base, rolloverTo);
  const step = (((wire - baseWire) % modulus) + modulus) % modulus;
  const absolute = base + step;
  return absolute <= last ? absolute : undefined;
}
