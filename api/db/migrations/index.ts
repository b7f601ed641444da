import type { Migration } from 'kysely';
import * as m001 from './001-init.ts';
import * as m002 from './002-auth.ts';
import * as m003 from './003-jobs.ts';
import * as m004 from './004-realtime.ts';
import * as m005 from './005-boot.ts';
import * as m006 from './006-lookup-indexes.ts';
import * as m007 from './007-list-indexes.ts';
import * as m008 from './008-list-order.ts';
import * as m009 from './009-search-phone.ts';
import * as m010 from './010-visitor-search.ts';

/** Explicit, ordered list: a migration exists only once it is listed here. */
export const migrations: Record<string, Migration> = {
  '001-init': m001,
  '002-auth': m002,
  '003-jobs': m003,
  '004-realtime': m004,
  '005-boot': m005,
  '006-lookup-indexes': m006,
  '007-list-indexes': m007,
  '008-list-order': m008,
  '009-search-phone': m009,
  '010-visitor-search': m010,
};
