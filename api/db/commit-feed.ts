import type { AuditEventRow } from '../audit/audit-table.ts';

/**
 * Hands the audit events of a transaction to listeners once it has committed
 * (never before, never for a rollback). The realtime layer builds on this: the
 * audit trail is the one stream of state changes, so whatever changed through
 * any path (REST, WebSocket, a scheduler) reaches stations and operators.
 */
export type CommitListener = (events: readonly AuditEventRow[]) => void;

const listeners = new WeakMap<object, Set<CommitListener>>();
const pending = new WeakMap<object, AuditEventRow[]>();
// A transaction is owned by the handle that opened it.
const ownerOf = new WeakMap<object, object>();

/** Listens to the events committed through this database handle. */
export function onCommitted(db: object, listener: CommitListener): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

export function beginCollecting(db: object, trx: object): void {
  ownerOf.set(trx, db);
  pending.set(trx, []);
}

/** Called by appendAudit: held until commit inside a transaction, published at once otherwise. */
export function noteCommitted(dbOrTrx: object, row: AuditEventRow): void {
  const held = pending.get(dbOrTrx);
  if (held) held.push(row);
  else publish(dbOrTrx, [row]);
}

export function finishCollecting(trx: object, committed: boolean): void {
  const rows = pending.get(trx);
  const db = ownerOf.get(trx);
  pending.delete(trx);
  ownerOf.delete(trx);
  if (committed && rows?.length && db) publish(db, rows);
}

function publish(db: object, rows: AuditEventRow[]): void {
  for (const listener of listeners.get(db) ?? []) {
    try {
      listener(rows);
    } catch {
      // A listener's failure must never undo or fail a committed change.
    }
  }
}
