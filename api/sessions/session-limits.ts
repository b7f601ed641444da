/** Longest allotment a code may carry when issued: a full opening day. */
export const MAX_SESSION_MINUTES = 12 * 60;

/** Largest single add-time or remove-time step. */
export const MAX_TIME_CHANGE_MINUTES = 12 * 60;

/** Adding time may not leave more than this to run (same cap as at issue). */
export const MAX_REMAINING_MS = MAX_SESSION_MINUTES * 60_000;

/**
 * Draws of a fresh code before giving up. With 31^8 codes and a few hundred
 * live ones a single collision is already ~10^-9; five in a row means the
 * random source is broken, not that the space is full.
 */
export const CODE_ATTEMPTS = 5;

/** Sessions handled per scheduler pass, so one pass never holds the database for long. */
export const EXPIRY_BATCH = 200;
