/** How a transfer ended: every byte sent, or why not (errno name: EPIPE, ECONNRESET, ETIMEDOUT for a stalled client, ENODATA for a file shorter than asked, ECANCELED after cancel()). */
export type SendOutcome = { ok: true; sent: number } | { ok: false; sent: number; errno: number; code: string };

export interface Transfer {
  /** Settles once, after the addon has closed its copies of both descriptors: it no longer writes to the socket. */
  done: Promise<SendOutcome>;
  /** Ends the transfer early (done then says ECANCELED, unless it had already ended). */
  cancel(): void;
}

/**
 * Sends `length` bytes of a regular file, from `offset`, to a non-blocking TCP socket with
 * sendfile(2), on one of the addon's threads (one per core, at most 4). Both descriptors are duplicated: the caller may close
 * its own at any time. A client that takes nothing for `stalledMs` ends the transfer (ETIMEDOUT).
 * Throws when a descriptor is not a socket / regular file or an argument is out of range.
 */
export function sendFile(socketFd: number, fileFd: number, offset: number, length: number, stalledMs: number): Transfer;
