/**
 * A UDP socket bound to `host` (an ephemeral port, SO_REUSEADDR so that an unconnected twin
 * may share it) and connected to one peer, watched on the event loop of the thread that
 * opened it (a worker thread's own loop). Linux only.
 *
 * Receiving: each readiness reads ONE datagram into `receiveBuffer` (given once, reused for
 * every datagram: a datagram longer than it is cut) and calls `onResult(length)`; the bytes
 * are valid only until `onResult` returns (copy what must outlive the call). A negative
 * value is -errno: -ECONNREFUSED when an ICMP port-unreachable says the peer has gone.
 * An exception thrown by `onResult` is the thread's uncaught exception, never swallowed.
 * Several sockets of one thread may share one receive buffer.
 */
export class ConnectedDatagramSocket {
  /**
   * Throws an Error with `code` (EMFILE, EADDRNOTAVAIL…) when the system refuses, and an
   * ERR_INVALID_ARG_VALUE error for an argument that is not an IP literal / port / Buffer / function.
   */
  constructor(host: string, peerAddress: string, peerPort: number, receiveBuffer: Buffer, onResult: (result: number) => void);
  /** The bound port (the TFTP transfer ID). */
  readonly localPort: number;
  /**
   * Sends `buffer[0, length)` at once with send(2) (MSG_DONTWAIT): the bytes sent, or -errno
   * (-EAGAIN: the socket buffer was full and the datagram is lost; -ECONNREFUSED: see above;
   * -EBADF after close()). Never blocks, never queues.
   */
  send(buffer: Buffer, length?: number): number;
  /**
   * Sends `head` followed by `body` as ONE datagram (sendmsg with two iovecs), results as
   * send(). The bytes are not copied in user space: `body` may be a view on shared memory.
   */
  sendParts(head: Uint8Array, body: Uint8Array): number;
  /**
   * Busy-waits up to `maxNanoseconds` (0 to 1e9) for a datagram or an error to be waiting:
   * the nanoseconds it took, or -1 if none came (also once closed). Reads nothing: the
   * event loop's next turn delivers it to `onResult` without the thread going to sleep.
   */
  awaitReadable(maxNanoseconds: number): number;
  /** Stops the watcher and closes the descriptor before returning; idempotent, allowed inside onResult. */
  close(): void;
}

/** The errno name of a negative result: errnoCode(-111) === "ECONNREFUSED". */
export function errnoCode(result: number): string;
