/**
 * The instants of one session's deadline: its warnings (`endsAt - w` for each
 * warning of w seconds) and the deadline itself. Pure functions of the
 * deadline, the warning list and a cursor (the last instant already dealt
 * with), so re-arming after any change is just "the next instant after the
 * cursor" and nothing is counted down.
 */

export const DEFAULT_WARNING_SECONDS: readonly number[] = [300, 120, 60, 30, 10];

/** Distinct positive whole seconds, largest first. */
export function normaliseWarnings(seconds: readonly number[]): number[] {
  return [...new Set(seconds.filter((s) => Number.isInteger(s) && s > 0))].sort((a, b) => b - a);
}

/**
 * Parses the configured list, e.g. "300,120,60,30,10"; an empty string means
 * no warnings. Throws on anything else, naming the bad item.
 */
export function parseWarningList(text: string): number[] {
  if (text.trim() === '') return [];
  const items = text.split(',').map((s) => s.trim());
  const bad = items.find((s) => !/^\d+$/.test(s) || Number(s) <= 0);
  if (bad !== undefined) throw new Error(`warning list: "${bad}" is not a positive whole number of seconds`);
  return normaliseWarnings(items.map(Number));
}

/** The next instant strictly after `cursor`: a warning, or the deadline (which may already be past). */
export function nextInstant(endsAt: number, warnings: readonly number[], cursor: number): number {
  let next = endsAt;
  for (const w of warnings) {
    const at = endsAt - w * 1000;
    if (at > cursor && at < next) next = at;
  }
  return next;
}

export type DueAction = { kind: 'expire' } | { kind: 'warn'; secondsLeft: number; instant: number } | { kind: 'none' };

/**
 * What is due at `now` after `cursor`: the deadline wins; otherwise the
 * warning closest to the deadline among those passed (a late timer sends one
 * warning, the most urgent, not a burst of stale ones).
 */
export function dueAt(endsAt: number, warnings: readonly number[], cursor: number, now: number): DueAction {
  if (endsAt <= now) return { kind: 'expire' };
  let due: { secondsLeft: number; instant: number } | undefined;
  for (const w of warnings) {
    const at = endsAt - w * 1000;
    if (at > cursor && at <= now && (due === undefined || at > due.instant)) due = { secondsLeft: w, instant: at };
  }
  return due === undefined ? { kind: 'none' } : { kind: 'warn', ...due };
}
