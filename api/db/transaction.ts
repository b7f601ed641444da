import type { Transaction } from 'kysely';
import { DomainError, storageFailure } from '../shared/errors.ts';
import { beginCollecting, finishCollecting } from './commit-feed.ts';
import type { Database, Db } from './schema.ts';

/**
 * Runs `work` in one transaction: the state change and its audit event commit
 * together or not at all. Domain errors pass through; anything else (SQL,
 * driver, disk) becomes a STORAGE_FAILURE domain error.
 */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  let opened: Transaction<Database> | undefined;
  try {
    const result = await db.transaction().execute((trx) => {
      opened = trx;
      beginCollecting(db, trx);
      return work(trx);
    });
    finishCollecting(opened!, true);
    return result;
  } catch (error) {
    if (opened) finishCollecting(opened, false);
    throw asDomainError(error);
  }
}

/** For reads outside a transaction: same wrapping of storage failures. */
export async function reading<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asDomainError(error);
  }
}

export function asDomainError(error: unknown): DomainError {
  return error instanceof DomainError ? error : storageFailure(error);
}

/** True when the storage layer refused a row because of a UNIQUE constraint. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // better-sqlite3: SQLITE_CONSTRAINT_UNIQUE; node-postgres: 23505.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
