import type { OpenRefusal } from './file-open.ts';
import { encodeError } from './packet-encode.ts';
import { ErrorCode } from './packets.ts';

/**
 * A request the server answers with an ERROR packet instead of a transfer. The
 * wire text is English ASCII: firmware prints it as is on the station's screen.
 */
export class Refusal extends Error {
  constructor(
    /** RFC 1350 error code. */
    readonly code: number,
    /** The ERROR packet's message. */
    readonly wire: string,
    /** Why, for the log and onTransferEnd. */
    readonly detail: string,
  ) {
    super(wire);
  }
}

export const READ_ONLY = encodeError(ErrorCode.ACCESS_VIOLATION, 'Read-only server: uploads are refused');

/** The ERROR for a file that could not be opened. */
export function refusalFor(reason: OpenRefusal, detail: string, netasciiMax: number): Refusal {
  switch (reason) {
    case 'not-found':
      return new Refusal(ErrorCode.FILE_NOT_FOUND, 'File not found', detail);
    case 'access-denied':
    case 'outside-root':
      return new Refusal(ErrorCode.ACCESS_VIOLATION, 'Access violation', detail);
    case 'netascii-too-large':
      return new Refusal(ErrorCode.NOT_DEFINED, `netascii limited to ${netasciiMax} bytes: use octet`, detail);
    case 'io-error':
      return new Refusal(ErrorCode.NOT_DEFINED, 'Read error', detail);
  }
}
