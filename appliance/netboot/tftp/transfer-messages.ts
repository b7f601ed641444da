import type { SourceSpec } from './file-source.ts';
import type { Negotiated } from './options.ts';
import type { TftpPeer, TransferReport } from './read-transfer.ts';

/** Everything a worker needs to run one read transfer (structured-clonable). */
export interface TransferJob {
  readonly id: number;
  /** Address the transfer socket binds (port 0: its own TID, RFC 1350 §4). */
  readonly host: string;
  readonly peer: TftpPeer;
  readonly source: SourceSpec;
  readonly negotiated: Negotiated;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** False forces node:dgram for the peer socket (peer-socket.ts). */
  readonly nativeDatagram: boolean;
  /** How long the transfer may wait awake for an answer (answer-spin.ts); 0 never. */
  readonly answerSpinMicros: number;
}

/** Given to each worker at its start. */
export interface TransferWorkerData {
  /** One Int32: how many transfers the whole server runs now (kept by transfer-pool.ts). */
  readonly running: SharedArrayBuffer;
  /** A transfer may wait awake only while the server runs at most this many (answer-spin.ts). */
  readonly spinSlots: number;
}

export type ToWorker = { readonly type: 'start'; readonly job: TransferJob } | { readonly type: 'abort'; readonly id: number; readonly message: string };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'answered'; readonly id: number }
  | { readonly type: 'end'; readonly id: number; readonly report: TransferReport }
  | { readonly type: 'bind-failed'; readonly id: number; readonly detail: string }
  /** A descriptor the worker is done with: closed by the thread that opened it (Node warns otherwise). */
  | { readonly type: 'close-fd'; readonly id: number; readonly fd: number };

/** What the server holds for a running transfer, in its own thread or in a worker. */
export interface RunningTransfer {
  /** False until the peer answers once: a repeated RRQ before that is the same request. */
  readonly answered: boolean;
  /** Ends the transfer from outside (server shutdown), telling the client why. */
  abort(message: string): void;
}
