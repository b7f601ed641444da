import { DomainError } from '../shared/errors.ts';
import type { ProbeFailure } from './image-probe.ts';
import { MAX_PHOTO_BYTES } from './image-probe.ts';

const MB = (MAX_PHOTO_BYTES / (1024 * 1024)).toFixed(0);

const MESSAGES: Record<ProbeFailure, { code: string; fr: string; en: string }> = {
  empty: { code: 'USER_PHOTO_EMPTY', fr: 'Le fichier photo est vide.', en: 'The photo file is empty.' },
  too_large: {
    code: 'USER_PHOTO_TOO_LARGE',
    fr: `Photo trop lourde : ${MB} Mo au plus.`,
    en: `Photo too large: at most ${MB} MB.`,
  },
  type: {
    code: 'USER_PHOTO_TYPE',
    fr: "Ce fichier n'est pas une photo JPEG ou PNG (son contenu a été vérifié, pas son nom).",
    en: 'This file is not a JPEG or PNG photo (its content was checked, not its name).',
  },
  truncated: {
    code: 'USER_PHOTO_TRUNCATED',
    fr: 'La photo est incomplète (fichier tronqué) : envoyez-la à nouveau.',
    en: 'The photo is incomplete (truncated file): upload it again.',
  },
  corrupt: { code: 'USER_PHOTO_CORRUPT', fr: 'La photo est endommagée et ne peut pas être lue.', en: 'The photo is damaged and cannot be read.' },
  dimensions: {
    code: 'USER_PHOTO_DIMENSIONS',
    fr: 'Dimensions de la photo impossibles (nulles ou démesurées).',
    en: 'Impossible photo dimensions (zero or absurdly large).',
  },
};

/** The field-level error for a refused photo upload; `reason` is technical detail for logs. */
export function photoRejected(failure: ProbeFailure, reason: string): DomainError {
  const m = MESSAGES[failure];
  return new DomainError(
    m.code,
    'invalid',
    { fr: m.fr, en: m.en },
    { fields: [{ field: 'photo', fr: m.fr, en: m.en }], details: { reason, maxBytes: MAX_PHOTO_BYTES } },
  );
}
