/**
 * Domain errors carry a stable machine code, a category the HTTP layer maps to
 * a status, and a message in French first, then English. Nothing below the
 * domain (SQL, file system) ever reaches a caller unwrapped.
 */
export type ErrorCategory =
  | 'invalid' // bad input: 400/422
  | 'not_found' // 404
  | 'conflict' // state does not allow it: 409
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'throttled' // 429
  | 'unavailable'; // storage or dependency failure: 503

export interface FieldIssue {
  field: string;
  fr: string;
  en: string;
}

export class DomainError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly fr: string;
  readonly en: string;
  readonly fields: FieldIssue[];
  readonly details: Record<string, unknown>;

  constructor(
    code: string,
    category: ErrorCategory,
    messages: { fr: string; en: string },
    extra: { fields?: FieldIssue[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(`${code}: ${messages.en}`, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'DomainError';
    this.code = code;
    this.category = category;
    this.fr = messages.fr;
    this.en = messages.en;
    this.fields = extra.fields ?? [];
    this.details = extra.details ?? {};
  }
}

export function invalid(code: string, fr: string, en: string, fields: FieldIssue[] = []): DomainError {
  return new DomainError(code, 'invalid', { fr, en }, { fields });
}

export function notFound(what: 'user' | 'station' | 'session' | 'operator' | 'audit_event' | 'photo', id: unknown): DomainError {
  const fr: Record<typeof what, string> = {
    user: 'Usager introuvable',
    station: 'Poste introuvable',
    session: 'Session introuvable',
    operator: 'Opérateur introuvable',
    audit_event: "Événement d'audit introuvable",
    photo: 'Photo introuvable',
  };
  return new DomainError(`${what.toUpperCase()}_NOT_FOUND`, 'not_found', {
    fr: `${fr[what]} (${String(id)})`,
    en: `${what.replace('_', ' ')} not found (${String(id)})`,
  }, { details: { id } });
}

export function conflict(code: string, fr: string, en: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(code, 'conflict', { fr, en }, { details });
}

/** Wraps a failure of the storage layer; the cause is kept for logs, never shown. */
export function storageFailure(cause: unknown): DomainError {
  return new DomainError(
    'STORAGE_FAILURE',
    'unavailable',
    {
      fr: "La base de données ne répond pas ; rien n'a été enregistré.",
      en: 'The database is not answering; nothing was saved.',
    },
    { cause },
  );
}
