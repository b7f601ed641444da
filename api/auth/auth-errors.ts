import { DomainError } from '../shared/errors.ts';

export const authErrors = {
  badCredentials: () =>
    new DomainError('AUTH_INVALID_CREDENTIALS', 'unauthenticated', {
      fr: 'Identifiant ou mot de passe incorrect.',
      en: 'Wrong username or password.',
    }),
  unauthenticated: () =>
    new DomainError('AUTH_REQUIRED', 'unauthenticated', {
      fr: 'Connexion requise ou expirée.',
      en: 'Authentication required or expired.',
    }),
  refreshInvalid: () =>
    new DomainError('AUTH_REFRESH_INVALID', 'unauthenticated', {
      fr: 'Jeton de renouvellement invalide ou expiré ; reconnectez-vous.',
      en: 'Refresh token invalid or expired; log in again.',
    }),
  refreshReused: () =>
    new DomainError('AUTH_REFRESH_REUSED', 'unauthenticated', {
      fr: 'Jeton déjà utilisé : la connexion a été fermée par sécurité.',
      en: 'Refresh token already used: the login was closed for safety.',
    }),
  throttled: (retryAfterMs: number) =>
    new DomainError(
      'AUTH_THROTTLED',
      'throttled',
      {
        fr: `Trop de tentatives ; réessayez dans ${Math.ceil(retryAfterMs / 1000)} s.`,
        en: `Too many attempts; try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
      },
      { details: { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } },
    ),
  passwordChangeRequired: () =>
    new DomainError('AUTH_PASSWORD_CHANGE_REQUIRED', 'forbidden', {
      fr: 'Vous devez changer votre mot de passe à usage unique avant de continuer.',
      en: 'You must change your one-time password before anything else.',
    }),
  forbidden: () =>
    new DomainError('AUTH_FORBIDDEN', 'forbidden', {
      fr: "Vous n'avez pas le droit de faire cela.",
      en: 'You are not allowed to do this.',
    }),
  csrf: () =>
    new DomainError('AUTH_CSRF', 'forbidden', {
      fr: 'Jeton anti-CSRF manquant ou invalide.',
      en: 'Missing or invalid CSRF token.',
    }),
};
