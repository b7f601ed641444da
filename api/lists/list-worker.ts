// Entry of the list worker thread (worker-list-reader.ts starts it): list pages
// read on its own read-only SQLite connection and written as JSON here, so the
// main thread only parses HTTP, authenticates and sends the bytes.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Db } from '../db/schema.ts';
import type { DomainContext, DomainPolicy } from '../shared/domain-context.ts';
import { errorToWire } from './list-errors.ts';
import type { FromListWorker, ListWorkerData, ToListWorker } from './list-messages.ts';
import { listPageBody } from './list-pages.ts';
import { openReadOnlySqlite } from './read-only-sqlite.ts';

/** The body's own ArrayBuffer to transfer; a body in Buffer's shared pool (a short page) is copied out first. */
function ownArrayBuffer(body: Buffer): ArrayBuffer {
  const buffer = body.buffer as ArrayBuffer;
  if (body.byteOffset === 0 && body.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
}

function send(port: MessagePort, message: FromListWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function serve(port: MessagePort, db: Db): void {
  let policy: DomainPolicy | undefined;
  port.on('message', (msg: ToListWorker) => {
    if (msg.type === 'close') {
      port.removeAllListeners('message');
      // The connection closed, the port too: nothing is left to run and the thread ends.
      void db.destroy().finally(() => port.close());
      return;
    }
    if (msg.policy !== undefined) policy = msg.policy;
    const { id, now } = msg;
    // The page is computed at the main thread's instant, under its current policy.
    const ctx: DomainContext = { db, clock: { now: () => now }, policy: policy! };
    listPageBody(ctx, msg.request).then(
      (body) => {
        const buffer = ownArrayBuffer(body);
        send(port, { type: 'page', id, body: buffer }, [buffer]);
      },
      (error: unknown) => {
        try {
          send(port, { type: 'error', id, error: errorToWire(error) });
        } catch (cloneError) {
          // Details that cannot be cloned: the request still gets its answer (a 500).
          send(port, { type: 'error', id, error: errorToWire(cloneError) });
        }
      },
    );
  });
}

const port = parentPort!;
const data = workerData as ListWorkerData;
let db: Db | undefined;
try {
  db = openReadOnlySqlite(data);
} catch (error) {
  send(port, { type: 'failed', reason: (error as Error).message });
  port.close();
}
if (db !== undefined) {
  serve(port, db);
  send(port, { type: 'ready' });
}
