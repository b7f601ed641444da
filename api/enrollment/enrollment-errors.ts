import { DomainError } from '../shared/errors.ts';

/**
 * One answer for every refused enrollment (unknown, replayed, expired, wrong
 * MAC, station not approved): the caller learns nothing about which check
 * failed. The reason goes to the audit trail only.
 */
export function enrollmentRefused(): DomainError {
  return new DomainError('ENROLLMENT_REFUSED', 'unauthenticated', {
    fr: "Inscription du poste refusée : jeton d'inscription invalide, expiré ou déjà utilisé. Redémarrez le poste pour en obtenir un nouveau.",
    en: 'Station enrollment refused: the enrollment nonce is invalid, expired or already used. Restart the station to get a new one.',
  });
}

export function enrollmentThrottled(retryAfterMs: number): DomainError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new DomainError(
    'ENROLLMENT_THROTTLED',
    'throttled',
    { fr: `Trop de tentatives d'inscription refusées ; réessayez dans ${seconds} s.`, en: `Too many refused enrollment attempts; try again in ${seconds} s.` },
    { details: { retryAfterSeconds: seconds } },
  );
}

export function nonceTtlInvalid(ttlMs: number): DomainError {
  return new DomainError(
    'ENROLLMENT_TTL_INVALID',
    'invalid',
    { fr: `Durée de validité du jeton d'inscription invalide (${ttlMs} ms).`, en: `Invalid enrollment nonce lifetime (${ttlMs} ms).` },
    { details: { ttlMs } },
  );
}
