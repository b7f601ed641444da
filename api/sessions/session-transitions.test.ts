import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.ts';
import { SESSION_STATUSES, type SessionStatus } from './sessions-table.ts';
import { SESSION_ACTIONS, nextStatus, transition, type SessionAction } from './session-transitions.ts';

const LEGAL: Array<[SessionStatus, SessionAction, SessionStatus]> = [
  ['pending', 'start', 'active'],
  ['pending', 'add_time', 'pending'],
  ['pending', 'remove_time', 'pending'],
  ['pending', 'cancel', 'ended'],
  ['pending', 'expire_code', 'ended'],
  ['active', 'suspend', 'suspended'],
  ['active', 'add_time', 'active'],
  ['active', 'remove_time', 'active'],
  ['active', 'end', 'ended'],
  ['active', 'expire', 'ended'],
  ['suspended', 'resume', 'active'],
  ['suspended', 'add_time', 'suspended'],
  ['suspended', 'remove_time', 'suspended'],
  ['suspended', 'end', 'ended'],
];

const legalKey = new Set(LEGAL.map(([from, action]) => `${from}:${action}`));
const ILLEGAL = SESSION_STATUSES.flatMap((from) =>
  SESSION_ACTIONS.filter((action) => !legalKey.has(`${from}:${action}`)).map((action) => [from, action] as const),
);

describe('session transitions', () => {
  it.each(LEGAL)('%s --%s--> %s', (from, action, to) => {
    expect(transition(from, action)).toBe(to);
  });

  it('covers every (state, action) pair exactly once', () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(SESSION_STATUSES.length * SESSION_ACTIONS.length);
  });

  it.each(ILLEGAL)('refuses %s --%s--> with a conflict naming both', (from, action) => {
    expect(nextStatus(from, action)).toBeUndefined();
    try {
      transition(from, action, 42);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const err = e as DomainError;
      expect(err.code).toBe('SESSION_STATE_CONFLICT');
      expect(err.category).toBe('conflict');
      expect(err.details).toEqual({ from, action, sessionId: 42 });
      expect(err.en).toContain(from);
    }
  });

  it('reads well in French', () => {
    expect(() => transition('pending', 'suspend')).toThrow(expect.objectContaining({ fr: 'Impossible de suspendre une session en attente (code pas encore utilisé).' }));
    expect(() => transition('ended', 'expire_code')).toThrow(expect.objectContaining({ fr: 'Impossible de faire expirer le code d’une session terminée.' }));
  });
});
