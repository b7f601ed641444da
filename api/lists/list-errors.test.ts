import { describe, expect, it } from 'vitest';
import { DomainError, invalid, storageFailure } from '../shared/errors.ts';
import { errorFromWire, errorToWire } from './list-errors.ts';

/** What crosses between threads: a structured clone of the wire form. */
const across = (error: unknown) => errorFromWire(structuredClone(errorToWire(error)));

describe('list worker errors across threads', () => {
  it('gives back the same DomainError: code, category, French and English, fields, details', () => {
    const error = invalid('PAGE_INVALID', 'Numéro de page invalide.', 'Invalid page number.', [{ field: 'page', fr: 'entier ≥ 1', en: 'integer ≥ 1' }]);
    const back = across(error);
    expect(back).toBeInstanceOf(DomainError);
    expect(back).toMatchObject({ code: 'PAGE_INVALID', category: 'invalid', fr: error.fr, en: error.en, fields: error.fields, details: {}, message: error.message });
  });

  it('keeps a storage failure’s cause as text for the log', () => {
    const back = across(storageFailure(new Error('SQLITE_ERROR: no such table: list_versions'))) as DomainError;
    expect(back).toMatchObject({ code: 'STORAGE_FAILURE', category: 'unavailable' });
    expect(String((back.cause as Error).message)).toContain('no such table: list_versions');
  });

  it('gives anything else back as a plain Error (a 500), with its text', () => {
    const back = across(new TypeError('cannot read x of undefined'));
    expect(back).not.toBeInstanceOf(DomainError);
    expect(back.message).toContain('TypeError: cannot read x of undefined');
  });
});
