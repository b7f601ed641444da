/**
 * The sessions domain as the API and the schedulers see it. Every function
 * takes the DomainContext first; mutations take the Actor who asked and
 * return the session's view at the clock's now.
 */
export { CODE_ALPHABET, formatCode, normaliseCode, parseCode, type RandomSource } from './access-code.ts';
export { validateCode, type RejectReason } from './code-check.ts';
export { createSession, type CreateSessionInput, type CreateSessionOptions } from './issue-session.ts';
export { activeDeadlines, expireDueSessions, expireUnusedCodes, nextCodeExpiry, nextDeadline } from './session-expiry.ts';
export {
  cancelSession,
  endSession,
  MANUAL_END_REASONS,
  resumeSession,
  suspendSession,
  type ManualEndReason,
} from './session-lifecycle.ts';
export { MAX_SESSION_MINUTES, MAX_TIME_CHANGE_MINUTES } from './session-limits.ts';
export {
  getSession,
  listSessions,
  liveSessions,
  sessionForStation,
  timeRemaining,
  type SessionListQuery,
  type TimeRemaining,
} from './session-queries.ts';
export { canCreateSession, type CreateCheck, type CreateRefusal } from './session-quota.ts';
export { addTime, removeTime } from './session-time-adjust.ts';
export { sessionTiming, type SessionTiming } from './session-timing.ts';
export { SESSION_ACTIONS, TRANSITIONS, type SessionAction } from './session-transitions.ts';
export { toSessionView, type SessionView } from './session-view.ts';
export { startSession } from './start-session.ts';
export type { ActiveDeadline } from './sessions-repository.ts';
