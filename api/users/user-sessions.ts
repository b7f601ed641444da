import { reading } from '../db/transaction.ts';
import { listSessions, type SessionListQuery } from '../sessions/session-queries.ts';
import type { SessionView } from '../sessions/session-view.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { Page } from '../shared/pagination.ts';
import { loadVisibleUser } from './user-access.ts';

/**
 * One visitor's sessions, newest first by default (seed: GET
 * /api/utilisateurs/{id}/sessions/). USER_NOT_FOUND for an unknown or deleted
 * visitor, so an empty page always means "no sessions yet". An anonymised
 * visitor's sessions stay listed: they are connection records.
 */
export async function listUserSessions(ctx: DomainContext, userId: number, query: Omit<SessionListQuery, 'userId'> = {}): Promise<Page<SessionView>> {
  await reading(() => loadVisibleUser(ctx.db, userId));
  return listSessions(ctx, { ...query, userId });
}
