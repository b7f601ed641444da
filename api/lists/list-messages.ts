import type { DomainPolicy } from '../shared/domain-context.ts';
import type { WireError } from './list-errors.ts';
import type { ListRequest } from './list-pages.ts';

/** What the list worker is started with (workerData). */
export interface ListWorkerData {
  /** The SQLite file, already in WAL mode (the main connection opened and migrated it). */
  path: string;
  busyTimeoutMs: number;
  pageCacheKiB: number;
}

/** Main thread -> list worker. */
export type ToListWorker =
  | {
      type: 'read';
      id: number;
      /** The main clock's time when the request was taken: the page is computed at that instant. */
      now: number;
      request: ListRequest;
      /** Sent with the first read and again whenever an admin's setting replaced the policy. */
      policy?: DomainPolicy;
    }
  /** Close the connection and end the thread. */
  | { type: 'close' };

/** List worker -> main thread. */
export type FromListWorker =
  | { type: 'ready' }
  /** The database could not be opened for reading; the thread ends. */
  | { type: 'failed'; reason: string }
  /** The page's UTF-8 body, its ArrayBuffer transferred (not copied). */
  | { type: 'page'; id: number; body: ArrayBuffer }
  | { type: 'error'; id: number; error: WireError };
