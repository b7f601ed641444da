import type { DomainContext } from '../shared/domain-context.ts';
import { listPageBody, type ListRequest } from './list-pages.ts';

/** Where the list routes get their page bodies from. */
export interface ListReader {
  /** The page's JSON body; rejects with a DomainError as the domain would (or a 503 one when the worker fails). */
  read(request: ListRequest): Promise<Buffer>;
  /** What /api/health says: "worker", or "in-process" with why when a worker was wanted. */
  readonly mode: string;
  /** Resolves once ready to read (a worker started, or failed and replaced by the main thread). */
  start(): Promise<void>;
  /** Stops what start() started; reads after it run in the main thread. */
  close(): Promise<void>;
}

/**
 * Lists read on the main connection, in the main thread: tests on `:memory:`
 * databases (a worker cannot share them), `database.listWorker` off, and the
 * worker reader while its worker is not running.
 */
export class InProcessListReader implements ListReader {
  readonly mode = 'in-process';

  constructor(private readonly ctx: DomainContext) {}

  read(request: ListRequest): Promise<Buffer> {
    return listPageBody(this.ctx, request);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}
}
