import type { Migration } from 'kysely';
import * as m001 from './001-init.ts';

/** Explicit, ordered list: a migration exists only once it is listed here. */
export const migrations: Record<string, Migration> = {
  '001-init': m001,
};
