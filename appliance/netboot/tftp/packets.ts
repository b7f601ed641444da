/**
 * TFTP packet model: RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR) and RFC 2347 (OACK).
 * The codec (packet-decode.ts, packet-encode.ts) turns these into bytes and back.
 */

/** Opcodes, RFC 1350 §5 and RFC 2347 (OACK = 6). */
export const Opcode = {
  RRQ: 1,
  WRQ: 2,
  DATA: 3,
  ACK: 4,
  ERROR: 5,
  OACK: 6,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Error codes, RFC 1350 Appendix, plus 8 from RFC 2347 (option negotiation refused). */
export const ErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Options as they appear on the wire: names lower-cased (RFC 2347 says they are
 * case-insensitive), values kept as sent. A Map keeps the order of the request,
 * which the OACK mirrors.
 */
export type WireOptions = ReadonlyMap<string, string>;

export interface RequestPacket {
  readonly opcode: typeof Opcode.RRQ | typeof Opcode.WRQ;
  readonly filename: string;
  /** Lower-cased transfer mode ("octet", "netascii", "mail" or anything a client sent). */
  readonly mode: string;
  readonly options: WireOptions;
}

export interface DataPacket {
  readonly opcode: typeof Opcode.DATA;
  readonly block: number;
  /** A view into the datagram, not a copy. */
  readonly data: Buffer;
}

export interface AckPacket {
  readonly opcode: typeof Opcode.ACK;
  readonly block: number;
}

export interface ErrorPacket {
  readonly opcode: typeof Opcode.ERROR;
  readonly code: number;
  readonly message: string;
}

export interface OackPacket {
  readonly opcode: typeof Opcode.OACK;
  readonly options: WireOptions;
}

export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

/** Why a datagram is not a TFTP packet. Decoding never throws; it returns one of these. */
export type DecodeErrorKind =
  | 'too-short'
  | 'unknown-opcode'
  | 'unterminated-string'
  | 'empty-filename'
  | 'empty-mode'
  | 'bad-options';

export interface DecodeError {
  readonly kind: DecodeErrorKind;
  readonly detail: string;
}

export type DecodeResult = { readonly ok: true; readonly packet: TftpPacket } | { readonly ok: false; readonly error: DecodeError };

/** RFC 2348: the smallest and largest block sizes a client may ask for. */
export const MIN_BLOCK_SIZE = 8;
export const MAX_BLOCK_SIZE = 65464;
/** RFC 1350: the block size when no option is negotiated. */
export const DEFAULT_BLOCK_SIZE = 512;
