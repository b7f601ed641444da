import { DomainError, type ErrorCategory, type FieldIssue } from '../shared/errors.ts';

/**
 * An error of the list worker as it crosses to the main thread: a DomainError
 * with everything the problem+json is made of (structured clone keeps plain
 * data only, not the class), or anything else as its text. Its cause (a
 * storage failure's SQLite error) travels as text, for the log only.
 */
export type WireError =
  | { kind: 'domain'; code: string; category: ErrorCategory; fr: string; en: string; fields: FieldIssue[]; details: Record<string, unknown>; cause?: string }
  | { kind: 'other'; message: string };

const textOf = (value: unknown) => (value instanceof Error ? (value.stack ?? value.message) : String(value));

export function errorToWire(error: unknown): WireError {
  if (!(error instanceof DomainError)) return { kind: 'other', message: textOf(error) };
  const { code, category, fr, en, fields, details } = error;
  return { kind: 'domain', code, category, fr, en, fields, details, ...(error.cause !== undefined && { cause: textOf(error.cause) }) };
}

/** The error as the main thread throws it: the same DomainError (code, status, fr/en, fields, details), or a plain Error (a 500). */
export function errorFromWire(wire: WireError): Error {
  if (wire.kind === 'other') return new Error(`list worker: ${wire.message}`);
  const { code, category, fr, en, fields, details, cause } = wire;
  return new DomainError(code, category, { fr, en }, { fields, details, ...(cause !== undefined && { cause: new Error(cause) }) });
}

/** The worker ended (crashed, killed, restarted) with this read in flight. */
export function listWorkerFailed(): DomainError {
  return new DomainError('LIST_READ_FAILED', 'unavailable', {
    fr: 'La lecture de la liste a été interrompue ; réessayez.',
    en: 'Reading the list was interrupted; try again.',
  });
}

/** The worker did not answer in time; it is restarted. */
export function listReadTimedOut(timeoutMs: number): DomainError {
  return new DomainError(
    'LIST_READ_TIMEOUT',
    'unavailable',
    { fr: 'La liste a mis trop de temps à se lire ; réessayez.', en: 'The list took too long to read; try again.' },
    { details: { timeoutMs } },
  );
}
