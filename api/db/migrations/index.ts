import type { Migration } from 'kysely';
import * as m001 from './001-init.ts';
import * as m002 from './002-auth.ts';
import * as m005 from './005-boot.ts';

/** Explicit, ordered list: a migration exists only once it is listed here. */
export const migrations: Record<string, Migration> = {
  '001-init': m001,
  '002-auth': m002,
  '005-boot': m005,
};
