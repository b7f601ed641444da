import type { Static } from '@sinclair/typebox';
import { WS_ERROR_CODES, type WsError } from '../contract/ws-common.ts';
import { DomainError } from '../shared/errors.ts';
import type { RealtimeLog } from './realtime-log.ts';
import type { WsProblem } from './ws-codec.ts';

export type WsErrorMessage = Static<typeof WsError>;

/** The `error` reply to a message the codec refused. */
export function problemReply(problem: WsProblem): WsErrorMessage {
  return {
    v: 1,
    type: 'error',
    code: problem.code,
    fr: problem.fr,
    en: problem.en,
    requestId: problem.requestId,
    for: problem.for,
    ...(problem.fields ? { fields: problem.fields } : {}),
  };
}

/**
 * The `error` reply to a message whose handling failed. A DomainError keeps
 * its code and messages (a wrong code, a lockout with its wait); anything
 * else is logged and answered without details, as 5xx are over HTTP.
 */
export function errorReply(error: unknown, about: { type: string; requestId?: string | undefined }, log: RealtimeLog): WsErrorMessage {
  const base = { v: 1 as const, type: 'error' as const, requestId: about.requestId ?? null, for: about.type };
  if (error instanceof DomainError) {
    if (error.category === 'unavailable') log.error({ err: error.cause ?? error, for: about.type }, 'websocket: storage failure');
    const retry = error.details.retryAfterSeconds;
    return {
      ...base,
      code: error.code,
      fr: error.fr,
      en: error.en,
      ...(typeof retry === 'number' ? { retryAfterSeconds: retry } : {}),
      ...(error.fields.length > 0 ? { fields: error.fields } : {}),
    };
  }
  log.error({ err: error, for: about.type }, 'websocket: message handler failed');
  return { ...base, code: WS_ERROR_CODES.internal, fr: 'Erreur interne ; réessayez.', en: 'Internal error; try again.' };
}
