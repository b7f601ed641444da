import { close } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { TransferReport } from './read-transfer.ts';
import type { TftpLogger } from './server-options.ts';
import type { FromWorker, RunningTransfer, ToWorker, TransferJob, TransferWorkerData } from './transfer-messages.ts';

export interface PooledTransferEvents {
  readonly onEnd: (report: TransferReport) => void;
  /** The worker could not bind a transfer socket; it closed the file. */
  readonly onBindFailed: (detail: string) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  readonly transfers: Set<PooledTransfer>;
  /** Descriptors handed to the worker and not handed back yet. */
  readonly fds: Set<number>;
}

/** The server's handle on a transfer that runs in a worker. */
export class PooledTransfer implements RunningTransfer {
  answered = false;

  constructor(
    readonly job: TransferJob,
    readonly slot: Slot,
    readonly events: PooledTransferEvents,
  ) {}

  abort(message: string): void {
    const msg: ToWorker = { type: 'abort', id: this.job.id, message };
    this.slot.worker.postMessage(msg);
  }
}

/**
 * The worker's entry beside this module. Compiled (`npm run build`, the
 * production start) this module is `.js` and so is the worker; tsc copies no
 * `.mjs`, and the production process has no TypeScript loader. From sources the
 * boot file finds a loader for `transfer-worker.ts`.
 */
export function workerEntry(moduleUrl: string): URL {
  const compiled = new URL(moduleUrl).pathname.endsWith('.js');
  return new URL(compiled ? './transfer-worker.js' : './transfer-worker-boot.mjs', moduleUrl);
}

/** How long close() lets aborted transfers send their last ERROR before ending the threads. */
const DRAIN_MS = 2000;

/**
 * Worker threads that run read transfers (transfer-worker.ts), each given to the
 * least busy thread. A worker that dies takes only its own transfers with it:
 * they end as `worker-failed` (their descriptors closed here) and a new worker
 * takes its place; the server and the other workers go on.
 */
export class TransferPool {
  private slots: Slot[] = [];
  private readonly byId = new Map<number, PooledTransfer>();
  private nextId = 1;
  private closed = false;
  /** The server's running transfers, shared with the workers: a transfer spins only when few run (transfer-worker.ts). */
  private readonly running = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly size: number,
    private readonly logger: TftpLogger,
  ) {}

  /** Starts the workers; resolves when each is ready or has failed to start (logged). */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.spawn()));
  }

  /** Ready workers; when none is, the server runs transfers in its own thread. */
  get threads(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  get active(): number {
    return this.byId.size;
  }

  /** The worker threads with the number of transfers each runs (diagnostics, tests). */
  workers(): { readonly worker: Worker; readonly transfers: number }[] {
    return this.slots.map((s) => ({ worker: s.worker, transfers: s.transfers.size }));
  }

  /** Hands a transfer to the least busy ready worker, or undefined when there is none. */
  run(job: Omit<TransferJob, 'id'>, events: PooledTransferEvents): PooledTransfer | undefined {
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.ready && (slot === undefined || s.transfers.size < slot.transfers.size)) slot = s;
    if (slot === undefined || this.closed) return undefined;
    const transfer = new PooledTransfer({ ...job, id: this.nextId++ }, slot, events);
    slot.transfers.add(transfer);
    if (job.source.kind === 'fd') slot.fds.add(job.source.fd);
    this.byId.set(transfer.job.id, transfer);
    Atomics.store(this.running, 0, this.byId.size);
    const msg: ToWorker = { type: 'start', job: transfer.job };
    slot.worker.postMessage(msg);
    return transfer;
  }

  /** Waits (bounded) for running transfers to report their end, then stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + DRAIN_MS;
    while (this.byId.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    // Spinning transfers leave one worker's core to everything else (the server's thread,
    // other transfers; in the lab, the clients themselves). Measured on 2 cores with
    // 2 clients at once: both spinning was ~15 % slower than neither.
    const workerData: TransferWorkerData = { running: this.running.buffer as SharedArrayBuffer, spinSlots: Math.max(1, this.size - 1) };
    const worker = new Worker(workerEntry(import.meta.url), { workerData });
    const slot: Slot = { worker, ready: false, transfers: new Set(), fds: new Set() };
    this.slots.push(slot);
    return new Promise<void>((resolve) => {
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          slot.ready = true;
          resolve();
        } else this.onMessage(slot, msg);
      });
      worker.on('error', (err) => this.logger.warn({ err: err.message }, 'tftp: transfer worker failed'));
      worker.on('exit', (code) => {
        this.onExit(slot, code);
        resolve();
      });
    });
  }

  private onMessage(slot: Slot, msg: Exclude<FromWorker, { type: 'ready' }>): void {
    if (msg.type === 'close-fd') {
      if (slot.fds.delete(msg.fd)) close(msg.fd, () => {});
      return;
    }
    const transfer = this.byId.get(msg.id);
    if (transfer === undefined) return;
    if (msg.type === 'answered') {
      transfer.answered = true;
      return;
    }
    this.forget(transfer);
    if (msg.type === 'end') transfer.events.onEnd(msg.report);
    else transfer.events.onBindFailed(msg.detail);
  }

  private onExit(slot: Slot, code: number): void {
    const wasReady = slot.ready;
    slot.ready = false;
    this.slots = this.slots.filter((s) => s !== slot);
    // Descriptors the worker had not handed back (its end, or close() stopping it first).
    for (const fd of slot.fds) close(fd, () => {});
    slot.fds.clear();
    if (this.closed) return;
    this.logger.warn({ code, transfers: slot.transfers.size }, 'tftp: transfer worker exited');
    for (const transfer of [...slot.transfers]) {
      this.forget(transfer);
      transfer.events.onEnd({ outcome: 'worker-failed', bytesSent: 0, blocks: 0, retransmits: 0, durationMs: 0, detail: `transfer worker exited (${code})` });
    }
    // A worker that never started (no loader, no memory) is not retried in a loop.
    if (wasReady) void this.spawn();
  }

  private forget(transfer: PooledTransfer): void {
    this.byId.delete(transfer.job.id);
    Atomics.store(this.running, 0, this.byId.size);
    transfer.slot.transfers.delete(transfer);
  }
}
