/**
 * Resolves on the event loop's next turn (setImmediate), after the I/O waiting now.
 *
 * better-sqlite3 is synchronous: a loop of transactions that only awaits their
 * promises runs entirely in microtasks and holds the loop until it ends — 1.35 s
 * for the silent-station sweep of 2,000 stations, with every panel request and
 * station heartbeat waiting. Long sweeps await this between their units of work.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
