import { conflict, DomainError, invalid } from '../shared/errors.ts';
import type { StationState } from '../stations/stations-table.ts';

/**
 * The one answer a station gets for a code that cannot be used there, whatever
 * the real reason (unknown, already used, expired, bound to another station):
 * a guesser learns nothing about codes that exist. The audit trail keeps the
 * real reason.
 */
export function codeRejected(): DomainError {
  return invalid(
    'CODE_REJECTED',
    "Ce code n'est pas valable sur ce poste. Vérifiez-le ou demandez un nouveau code à l'accueil.",
    'This code is not valid on this station. Check it or ask the front desk for a new code.',
  );
}

const STATION_STATE_FR: Record<StationState, string> = {
  available: 'disponible',
  occupied: 'occupé',
  maintenance: 'en maintenance',
  offline: 'hors ligne',
  pending: "en attente d'approbation",
};

export function stationUnavailable(stationId: number, state: StationState): DomainError {
  return conflict(
    'STATION_UNAVAILABLE',
    `Le poste n'accepte pas de session : il est ${STATION_STATE_FR[state]}.`,
    `The station does not accept sessions: it is ${state}.`,
    { stationId, state },
  );
}

export function stationBusy(stationId: number, sessionId?: number): DomainError {
  return conflict(
    'STATION_BUSY',
    'Une autre session est déjà en cours sur ce poste.',
    'Another session is already running on this station.',
    { stationId, ...(sessionId === undefined ? {} : { sessionId }) },
  );
}

export function stationNotBindable(stationId: number): DomainError {
  return conflict(
    'STATION_NOT_APPROVED',
    "Ce poste n'est pas encore approuvé : un code ne peut pas lui être réservé.",
    'This station is not approved yet: a code cannot be bound to it.',
    { stationId },
  );
}

export function timeUp(sessionId: number): DomainError {
  return conflict(
    'SESSION_TIME_UP',
    'Le temps de cette session est écoulé ; elle va être clôturée. Émettez un nouveau code si besoin.',
    'This session has run out of time and is being closed. Issue a new code if needed.',
    { sessionId },
  );
}

export function removalTooLarge(sessionId: number, remainingMs: number, deltaMs: number): DomainError {
  const left = Math.floor(remainingMs / 60_000);
  return conflict(
    'TIME_REMOVAL_TOO_LARGE',
    `Il reste ${left} min : on ne peut pas retirer ${deltaMs / 60_000} min. Pour arrêter la session, terminez-la (ou annulez le code).`,
    `Only ${left} min left: cannot remove ${deltaMs / 60_000} min. To stop the session, end it (or cancel the code) instead.`,
    { sessionId, remainingMs, deltaMs },
  );
}

export function quotaReached(userId: number, usedToday: number, quota: number): DomainError {
  return new DomainError(
    'DAILY_QUOTA_REACHED',
    'forbidden',
    {
      fr: `Quota atteint : ${usedToday} session(s) aujourd'hui sur ${quota} autorisée(s).`,
      en: `Daily quota reached: ${usedToday} of ${quota} session(s) used today.`,
    },
    { details: { userId, usedToday, quota } },
  );
}

export function codeGenerationFailed(attempts: number): DomainError {
  return new DomainError(
    'CODE_GENERATION_FAILED',
    'unavailable',
    {
      fr: `Impossible de tirer un code libre après ${attempts} essais ; rien n'a été enregistré. Réessayez.`,
      en: `Could not draw a free code after ${attempts} attempts; nothing was saved. Try again.`,
    },
    { details: { attempts } },
  );
}

/** A whole number of minutes within [1, max]; `field` names the input for the form. */
export function checkMinutes(field: string, value: unknown, maxMinutes: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxMinutes) return value;
  const fr = `nombre entier de minutes entre 1 et ${maxMinutes}`;
  const en = `whole number of minutes from 1 to ${maxMinutes}`;
  throw invalid('DURATION_INVALID', `Durée invalide : ${fr}.`, `Invalid duration: ${en}.`, [{ field, fr, en }]);
}

export function checkId(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  throw invalid('ID_INVALID', `Identifiant invalide (${field}).`, `Invalid identifier (${field}).`, [
    { field, fr: 'entier ≥ 1', en: 'integer ≥ 1' },
  ]);
}

export function sessionChanged(sessionId: number): DomainError {
  return conflict(
    'SESSION_CHANGED',
    'La session a été modifiée entre-temps ; rechargez et réessayez.',
    'The session changed meanwhile; reload and try again.',
    { sessionId },
  );
}

export function remainingTooLarge(sessionId: number, maxMs: number): DomainError {
  return conflict(
    'SESSION_TOO_LONG',
    `Une session ne peut pas avoir plus de ${maxMs / 3_600_000} h restantes.`,
    `A session cannot have more than ${maxMs / 3_600_000} h left.`,
    { sessionId, maxMs },
  );
}

export function endReasonInvalid(reason: unknown): DomainError {
  return invalid(
    'END_REASON_INVALID',
    'Motif de fin invalide : ended_by_operator ou ended_by_visitor.',
    'Invalid end reason: ended_by_operator or ended_by_visitor.',
    [{ field: 'reason', fr: `valeur reçue : ${String(reason)}`, en: `got: ${String(reason)}` }],
  );
}
