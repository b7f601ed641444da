import type { DomainPolicy } from '../shared/domain-context.ts';
import { conflict, type DomainError } from '../shared/errors.ts';
import { localDate, localParts } from '../shared/zoned-time.ts';
import { closingAfter, isOpenAt, nextOpeningAfter } from './opening-hours.ts';
import type { Session } from './sessions-table.ts';

/**
 * What the opening hours mean for a session about to run (start or resume):
 * refused while closed, and a deadline past closing is brought back to it.
 */

/** The closing a session starting at `now` must respect (null: none). Throws EPN_CLOSED while closed. */
export function closingForStart(policy: DomainPolicy, now: number): number | null {
  const hours = policy.openingHours;
  if (hours === undefined) return null;
  if (!isOpenAt(hours, policy.timeZone, now)) throw epnClosed(nextOpeningAfter(hours, policy.timeZone, now), policy.timeZone);
  return closingAfter(hours, policy.timeZone, now);
}

/** The closing that an active session's deadline may not pass (null: none, or closed already). */
export function closingFor(policy: DomainPolicy, now: number): number | null {
  const hours = policy.openingHours;
  return hours === undefined ? null : closingAfter(hours, policy.timeZone, now);
}

export interface CappedDeadline {
  endsAt: number;
  /** The allotment without the time dropped at closing. */
  allottedMs: number;
  /** Audit metadata; empty when the deadline was not moved. */
  note: { cappedAtClosing?: true; closesAt?: number; droppedMs?: number };
}

/**
 * Caps a deadline at closing. The time beyond closing is not kept for later:
 * it leaves the allotment, so elapsed/remaining stay true to what the visitor can use.
 * A deadline exactly at closing is flagged too (droppedMs 0): the session ends
 * because the EPN closes, and the view (closingNote) says the same.
 */
export function capAtClosing(endsAt: number, allottedMs: number, closesAt: number | null): CappedDeadline {
  if (closesAt === null || endsAt < closesAt) return { endsAt, allottedMs, note: {} };
  const droppedMs = endsAt - closesAt;
  return { endsAt: closesAt, allottedMs: allottedMs - droppedMs, note: { cappedAtClosing: true, closesAt, droppedMs } };
}

/** The fields a start or resume result adds when its deadline is the closing time. */
export function closingNote(session: Pick<Session, 'ends_at'>, closesAt: number | null): { cappedAtClosing?: true; closesAt?: number } {
  return closesAt !== null && session.ends_at === closesAt ? { cappedAtClosing: true, closesAt } : {};
}

export function epnClosed(opensAt: number | null, timeZone: string): DomainError {
  const when = opensAt === null ? null : `${localDate(opensAt, timeZone)} ${hhmm(opensAt, timeZone)}`;
  return conflict(
    'EPN_CLOSED',
    when === null ? "L'EPN est fermé : aucune session ne peut démarrer." : `L'EPN est fermé : aucune session ne peut démarrer avant la réouverture (${when}).`,
    when === null ? 'The EPN is closed: no session can start.' : `The EPN is closed: no session can start before it reopens (${when}).`,
    opensAt === null ? {} : { opensAt },
  );
}

export function pastClosing(sessionId: number, closesAt: number, maxMs: number, timeZone: string): DomainError {
  const at = hhmm(closesAt, timeZone);
  const maxMinutes = Math.max(0, Math.floor(maxMs / 60_000));
  return conflict(
    'SESSION_PAST_CLOSING',
    `L'EPN ferme à ${at} : au plus ${maxMinutes} min peuvent être ajoutées à cette session.`,
    `The EPN closes at ${at}: at most ${maxMinutes} min can be added to this session.`,
    { sessionId, closesAt, maxMinutes },
  );
}

function hhmm(t: number, timeZone: string): string {
  const p = localParts(t, timeZone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}
