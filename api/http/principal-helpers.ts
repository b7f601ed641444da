import type { FastifyRequest } from 'fastify';
import { operatorActor, stationActor, type Actor } from '../audit/audit-actions.ts';
import { authErrors } from '../auth/auth-errors.ts';
import type { Principal } from '../auth/principal.ts';

export function operatorOf(request: FastifyRequest): Extract<Principal, { kind: 'operator' }> {
  const p = request.principal;
  if (p.kind !== 'operator') throw authErrors.forbidden();
  return p;
}

/** The audit actor for the caller of a route. */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  if (p.kind === 'operator') return operatorActor(p.operatorId);
  if (p.kind === 'station') return stationActor(p.stationId);
  throw authErrors.unauthenticated();
}
