import { Worker } from 'node:worker_threads';
import type { DomainContext, DomainPolicy } from '../shared/domain-context.ts';
import { errorFromWire, listReadTimedOut, listWorkerFailed } from './list-errors.ts';
import type { FromListWorker, ListWorkerData, ToListWorker } from './list-messages.ts';
import type { ListRequest } from './list-pages.ts';
import { InProcessListReader, type ListReader } from './list-reader.ts';

export interface WorkerListReaderOptions {
  /** The database file the main connection has open (WAL). */
  databasePath: string;
  busyTimeoutMs?: number;
  /** SQLite page cache of the worker's connection, KiB (default 2048: it reads a few indexes). */
  pageCacheKiB?: number;
  /** A read not answered within this fails with 503 LIST_READ_TIMEOUT and the worker is restarted (default 10 s). */
  timeoutMs?: number;
  log?: { warn(obj: object, msg: string): void };
  /** The worker's entry; default list-worker beside this module (tests hand in a stand-in). */
  entry?: URL;
}

interface Pending {
  resolve(body: Buffer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** How long close() lets the worker close its connection before ending the thread. */
const CLOSE_MS = 2000;
/** The worker's V8 heap: pages are small and short-lived; a runaway read ends the worker, not the appliance. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 128 };

/**
 * The list worker's entry beside this module: compiled (`npm run build`, the
 * production start) `.js`, which plain node runs; from sources, the boot file
 * that finds a TypeScript loader (as the TFTP transfer workers do).
 */
export function listWorkerEntry(moduleUrl: string): URL {
  const compiled = new URL(moduleUrl).pathname.endsWith('.js');
  return new URL(compiled ? './list-worker.js' : './list-worker-boot.mjs', moduleUrl);
}

/**
 * List pages read and written on one worker thread (list-worker.ts) with its
 * own read-only connection, so that the main thread's core is left to HTTP
 * and the station paths. Each read carries the main clock's time and, when it
 * changed, the policy. Read-your-writes holds: a write commits on the main
 * connection before its response is sent, and the worker's read transaction
 * begins after a later request reached it.
 *
 * A worker that exits fails the reads in flight (503 LIST_READ_FAILED) and is
 * started again; a read unanswered after `timeoutMs` fails (503
 * LIST_READ_TIMEOUT) and restarts it. While no worker is ready (starting,
 * restarting, or failed to start), reads run in the main thread, as
 * InProcessListReader does: slower, never refused.
 */
export class WorkerListReader implements ListReader {
  private worker: Worker | undefined;
  private ready = false;
  private closed = false;
  private why = 'worker starting';
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private policySent: DomainPolicy | undefined;
  private readonly inProcess: InProcessListReader;
  private readonly timeoutMs: number;

  constructor(
    private readonly ctx: DomainContext,
    private readonly options: WorkerListReaderOptions,
  ) {
    this.inProcess = new InProcessListReader(ctx);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get mode(): string {
    return this.ready ? 'worker' : `in-process (${this.why})`;
  }

  /** The running thread (diagnostics, tests). */
  get thread(): Worker | undefined {
    return this.ready ? this.worker : undefined;
  }

  start(): Promise<void> {
    return this.spawn();
  }

  read(request: ListRequest): Promise<Buffer> {
    const worker = this.worker;
    if (!this.ready || worker === undefined) return this.inProcess.read(request);
    const id = this.nextId++;
    const msg: Extract<ToListWorker, { type: 'read' }> = { type: 'read', id, now: this.ctx.clock.now(), request };
    if (this.ctx.policy !== this.policySent) msg.policy = this.ctx.policy;
    return new Promise<Buffer>((resolve, reject) => {
      worker.postMessage(msg);
      this.policySent = this.ctx.policy;
      const timer = setTimeout(() => this.timedOut(id), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    this.why = 'closed';
    const worker = this.worker;
    this.failPending();
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const bye: ToListWorker = { type: 'close' };
    worker.postMessage(bye);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_MS);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): Promise<void> {
    const data: ListWorkerData = { path: this.options.databasePath, busyTimeoutMs: this.options.busyTimeoutMs ?? 5000, pageCacheKiB: this.options.pageCacheKiB ?? 2048 };
    const worker = new Worker(this.options.entry ?? listWorkerEntry(import.meta.url), { workerData: data, resourceLimits: WORKER_LIMITS });
    this.worker = worker;
    this.policySent = undefined;
    let started = false;
    return new Promise<void>((resolve) => {
      worker.on('message', (msg: FromListWorker) => {
        if (msg.type === 'ready') {
          // Held until ready (a start awaiting it must not find the event loop empty); then the
          // HTTP server keeps the process alive, not this thread, and a pending read's timer does.
          worker.unref();
          started = true;
          this.ready = !this.closed;
          resolve();
        } else if (msg.type === 'failed') this.why = `worker failed: ${msg.reason}`;
        else this.answer(msg);
      });
      worker.on('error', (err) => this.options.log?.warn({ err: err.message }, 'lists: worker failed'));
      worker.on('exit', (code) => {
        this.exited(worker, code, started);
        resolve();
      });
    });
  }

  private answer(msg: Extract<FromListWorker, { id: number }>): void {
    const pending = this.pending.get(msg.id);
    // Already failed (timeout) and answered since: dropped.
    if (pending === undefined) return;
    this.pending.delete(msg.id);
    clearTimeout(pending.timer);
    if (msg.type === 'page') pending.resolve(Buffer.from(msg.body));
    else pending.reject(errorFromWire(msg.error));
  }

  private timedOut(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    pending.reject(listReadTimedOut(this.timeoutMs));
    this.options.log?.warn({ timeoutMs: this.timeoutMs }, 'lists: read timed out, restarting the worker');
    // Later reads run in the main thread until the new worker is ready.
    this.ready = false;
    this.why = 'worker restarting';
    void this.worker?.terminate();
  }

  private exited(worker: Worker, code: number, started: boolean): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = false;
    this.failPending();
    if (this.closed) return;
    this.options.log?.warn({ code }, 'lists: worker exited');
    // A worker that never became ready (no loader, database not in WAL) is not retried in a loop.
    if (started) {
      this.why = 'worker restarting';
      void this.spawn();
    } else if (!this.why.startsWith('worker failed')) this.why = `worker exited (${code})`;
  }

  private failPending(): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(listWorkerFailed());
    }
    this.pending.clear();
  }
}
