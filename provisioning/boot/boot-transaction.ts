import type { Transaction } from 'kysely';
import type { Database, Db } from '../../api/db/schema.ts';
import { inTransaction, isUniqueViolation } from '../../api/db/transaction.ts';
import { DomainError } from '../../api/shared/errors.ts';
import { bootErrors } from './boot-errors.ts';

/**
 * inTransaction, plus: a UNIQUE violation on a name that the pre-check did not
 * see (a concurrent writer) becomes BOOT_<WHAT>_NAME_TAKEN, not a storage failure.
 */
export async function bootTransaction<T>(db: Db, what: 'profile' | 'group', name: string, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db, work);
  } catch (error) {
    const cause = error instanceof DomainError && error.code === 'STORAGE_FAILURE' ? error.cause : undefined;
    if (cause !== undefined && isUniqueViolation(cause) && /boot_(profiles|groups)_name_uq|boot_(profiles|groups)\.name|lower\(name\)/i.test(String((cause as Error).message))) {
      throw bootErrors.nameTaken(what, name);
    }
    throw error;
  }
}
