import { conflict, type DomainError } from '../shared/errors.ts';
import type { SessionStatus } from './sessions-table.ts';

/** Everything that can happen to a session; each service call maps to one action. */
export const SESSION_ACTIONS = [
  'start',
  'suspend',
  'resume',
  'add_time',
  'remove_time',
  'end',
  'cancel',
  'expire',
  'expire_code',
] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/**
 * The lifecycle, pending → active ⇄ suspended → ended, as data: the state an
 * action leads to from each state, or nothing when it is not allowed. Ended is
 * final. A suspended session does not run down, so only an active one expires.
 */
export const TRANSITIONS: Readonly<Record<SessionStatus, Partial<Record<SessionAction, SessionStatus>>>> = {
  pending: { start: 'active', add_time: 'pending', remove_time: 'pending', cancel: 'ended', expire_code: 'ended' },
  active: { suspend: 'suspended', add_time: 'active', remove_time: 'active', end: 'ended', expire: 'ended' },
  suspended: { resume: 'active', add_time: 'suspended', remove_time: 'suspended', end: 'ended' },
  ended: {},
};

export function nextStatus(from: SessionStatus, action: SessionAction): SessionStatus | undefined {
  return TRANSITIONS[from][action];
}

/** The state `action` leads to from `from`, or a conflict error naming both. */
export function transition(from: SessionStatus, action: SessionAction, sessionId?: number): SessionStatus {
  const to = nextStatus(from, action);
  if (to === undefined) throw illegalTransition(from, action, sessionId);
  return to;
}

const ACTION_FR: Record<SessionAction, string> = {
  start: 'démarrer',
  suspend: 'suspendre',
  resume: 'reprendre',
  add_time: 'ajouter du temps à',
  remove_time: 'retirer du temps à',
  end: 'terminer',
  cancel: 'annuler',
  expire: 'faire expirer',
  expire_code: 'faire expirer le code d’',
};

const STATUS_FR: Record<SessionStatus, string> = {
  pending: 'en attente (code pas encore utilisé)',
  active: 'en cours',
  suspended: 'suspendue',
  ended: 'terminée',
};

const ACTION_EN: Record<SessionAction, string> = {
  start: 'start',
  suspend: 'suspend',
  resume: 'resume',
  add_time: 'add time to',
  remove_time: 'remove time from',
  end: 'end',
  cancel: 'cancel',
  expire: 'expire',
  expire_code: 'expire the code of',
};

export function illegalTransition(from: SessionStatus, action: SessionAction, sessionId?: number): DomainError {
  const article = ACTION_FR[action].endsWith('’') ? '' : ' ';
  return conflict(
    'SESSION_STATE_CONFLICT',
    `Impossible de ${ACTION_FR[action]}${article}une session ${STATUS_FR[from]}.`,
    `Cannot ${ACTION_EN[action]} a session that is ${from}.`,
    { from, action, ...(sessionId === undefined ? {} : { sessionId }) },
  );
}
