import { listAuditEvents, type AuditFilter, type AuditSort } from '../audit/audit-queries.ts';
import { writeAuditEvent } from '../contract/audit-json.ts';
import { pageBody } from '../contract/json-text.ts';
import { writeSession } from '../contract/session-json.ts';
import { writeStation } from '../contract/station-json.ts';
import { writeUser } from '../contract/user-json.ts';
import { listSessions, type SessionListQuery } from '../sessions/session-queries.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { listStations, type StationListQuery } from '../stations/station-list.ts';
import { listUsers, type ListUsersOptions } from '../users/users-service.ts';

/**
 * A list page asked for: the domain's own options, as the route built them
 * from the query string. Plain data, so that it can cross to the list worker
 * (structured clone). The live screen is a sessions list with its statuses.
 */
export type ListRequest =
  | { list: 'users'; options: ListUsersOptions }
  | { list: 'sessions'; query: SessionListQuery }
  | { list: 'stations'; query: StationListQuery }
  | { list: 'audit'; filter: AuditFilter; page: PageRequest & { sort?: AuditSort } };

/**
 * The page's JSON body (UTF-8): the domain's list function, then the
 * contract's page writer for its items. The same call in the main thread and
 * in the list worker; a DomainError (bad option, storage failure) is thrown
 * as the domain throws it.
 */
export async function listPageBody(ctx: DomainContext, request: ListRequest): Promise<Buffer> {
  switch (request.list) {
    case 'users':
      return pageBody(await listUsers(ctx, request.options), writeUser);
    case 'sessions':
      return pageBody(await listSessions(ctx, request.query), writeSession);
    case 'stations':
      return pageBody(await listStations(ctx, request.query), writeStation);
    case 'audit':
      return pageBody(await listAuditEvents(ctx.db, request.filter, request.page), writeAuditEvent);
  }
}
