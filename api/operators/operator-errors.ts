import { DomainError, conflict } from '../shared/errors.ts';

export const MAX_DISPLAY_NAME_LENGTH = 128;

export const operatorErrors = {
  displayNameInvalid: (value: string) =>
    new DomainError(
      'OPERATOR_DISPLAY_NAME_INVALID',
      'invalid',
      {
        fr: `Nom affiché invalide : 1 à ${MAX_DISPLAY_NAME_LENGTH} caractères.`,
        en: `Invalid display name: 1 to ${MAX_DISPLAY_NAME_LENGTH} characters.`,
      },
      {
        fields: [{ field: 'displayName', fr: `1 à ${MAX_DISPLAY_NAME_LENGTH} caractères`, en: `1 to ${MAX_DISPLAY_NAME_LENGTH} characters` }],
        details: { length: value.length },
      },
    ),
  /** An admin locking themselves out would leave nobody able to undo it from this login. */
  selfLockout: (operatorId: number, change: 'demote' | 'deactivate') =>
    conflict(
      'OPERATOR_SELF_LOCKOUT',
      change === 'demote'
        ? 'Vous ne pouvez pas retirer votre propre rôle d’administrateur : demandez-le à un autre administrateur.'
        : 'Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur.',
      change === 'demote'
        ? 'You cannot remove your own admin role: ask another admin.'
        : 'You cannot deactivate your own account: ask another admin.',
      { operatorId, change },
    ),
  lastAdmin: (operatorId: number, change: 'demote' | 'deactivate') =>
    conflict(
      'OPERATOR_LAST_ADMIN',
      `C’est le dernier administrateur actif : nommez-en un autre avant de ${change === 'demote' ? 'lui retirer ce rôle' : 'le désactiver'}.`,
      `This is the last active admin: make another one before ${change === 'demote' ? 'removing the role' : 'deactivating the account'}.`,
      { operatorId, change },
    ),
};
