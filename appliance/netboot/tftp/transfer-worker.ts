import { parentPort, workerData } from 'node:worker_threads';
import { sourceFromSpec } from './file-source.ts';
import { transferPath } from './peer-socket.ts';
import { ReadTransfer } from './read-transfer.ts';
import type { FromWorker, ToWorker, TransferJob, TransferWorkerData } from './transfer-messages.ts';
import { openTransferSockets } from './transfer-sockets.ts';

/*
 * A transfer worker thread (transfer-pool.ts starts it). The server's thread keeps
 * port 69, the request checks and the policy hooks; a worker only binds transfer
 * sockets and runs ReadTransfers, so lock-step transfers use every core, as
 * tftpd-hpa's process per transfer does. Sockets cannot cross threads: each
 * transfer binds its own here; a file comes as a descriptor or shared bytes.
 */
const port = parentPort;
if (port === null) throw new Error('transfer-worker.ts runs as a worker thread');

const running = new Map<number, ReadTransfer>();
const shared = workerData as TransferWorkerData;
/** Transfers of the whole server (all workers), kept by the pool. */
const serverTransfers = new Int32Array(shared.running);

/** A spin holds the thread: only for its only transfer, and while few run on the server. */
function mayWaitAwake(): boolean {
  return running.size === 1 && binding.size === 0 && Atomics.load(serverTransfers, 0) <= shared.spinSlots;
}
/** Transfers still binding their socket, with the abort that came meanwhile, if any. */
const binding = new Map<number, string | undefined>();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

async function start(job: TransferJob): Promise<void> {
  let sockets;
  binding.set(job.id, undefined);
  try {
    sockets = await openTransferSockets(job.host, job.peer, transferPath(job.nativeDatagram));
  } catch (err) {
    if (job.source.kind === 'fd') post({ type: 'close-fd', id: job.id, fd: job.source.fd });
    binding.delete(job.id);
    post({ type: 'bind-failed', id: job.id, detail: `bind: ${String(err)}` });
    return;
  }
  const transfer = new ReadTransfer({
    sockets,
    peer: job.peer,
    source: sourceFromSpec(job.source, job.negotiated.blockSize, (fd) => post({ type: 'close-fd', id: job.id, fd })),
    negotiated: job.negotiated,
    timeoutMs: job.timeoutMs,
    maxRetries: job.maxRetries,
    now: () => Date.now(),
    onAnswered: () => post({ type: 'answered', id: job.id }),
    ...(job.answerSpinMicros > 0 && { answerSpin: { maxNs: job.answerSpinMicros * 1000, alone: mayWaitAwake } }),
    onEnd: (report) => {
      running.delete(job.id);
      post({ type: 'end', id: job.id, report });
    },
  });
  running.set(job.id, transfer);
  const aborted = binding.get(job.id);
  binding.delete(job.id);
  if (aborted === undefined) transfer.start();
  else transfer.abort(aborted);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') void start(message.job);
  else if (binding.has(message.id)) binding.set(message.id, message.message);
  else running.get(message.id)?.abort(message.message); // an abort after the end: nothing to do
});
post({ type: 'ready' });
