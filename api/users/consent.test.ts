import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { assertCanHaveSession, consentStatus, hasValidConsent } from './consent.ts';
import { revokeConsent, deleteUser } from './user-anonymise.ts';
import { recordConsent, recordGuardianConsent } from './user-consent-service.ts';
import { findUserRow } from './users-repository.ts';
import { createUser, getUser } from './users-service.ts';
import { auditRows, errorOf, usersKit, visitorInput } from './users-test-kit.ts';

async function row(k: Awaited<ReturnType<typeof usersKit>>, id: number) {
  const user = await findUserRow(k.db, id);
  if (user === undefined) throw new Error('no row');
  return user;
}

function blocker(work: () => void): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as DomainError).code;
  }
}

describe('consent gate for sessions', () => {
  it('blocks a visitor without consent, then lets them through once recorded', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ consentGiven: false }));
    const before = await row(k, id);
    expect(hasValidConsent(before, k.clock.now(), defaultPolicy)).toBe(false);
    expect(blocker(() => assertCanHaveSession(before, k.clock.now(), defaultPolicy))).toBe('USER_CONSENT_REQUIRED');
    k.clock.advance(1000);
    const view = await recordConsent(k.ctx, k.actor, id);
    expect(view.consent).toMatchObject({ status: 'valid', givenAt: k.clock.now(), textVersion: '2026-01' });
    const after = await row(k, id);
    expect(() => assertCanHaveSession(after, k.clock.now(), defaultPolicy)).not.toThrow();
    const last = (await auditRows(k.db)).at(-1)!;
    expect(last.action).toBe('user.consent_given');
    expect(JSON.parse(last.metadata)).toEqual({ kind: 'visitor', consentTextVersion: '2026-01', renewed: false });
  });

  it('blocks a minor under 15 until a guardian is named and consents', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2013-09-01' }));
    const minor = await row(k, id);
    expect(consentStatus(minor, k.clock.now(), defaultPolicy)).toBe('guardian_required');
    expect(blocker(() => assertCanHaveSession(minor, k.clock.now(), defaultPolicy))).toBe('USER_GUARDIAN_CONSENT_REQUIRED');
    expect((await errorOf(() => recordGuardianConsent(k.ctx, k.actor, id))).code).toBe('USER_GUARDIAN_NAME_REQUIRED');
    expect((await errorOf(() => recordGuardianConsent(k.ctx, k.actor, id, { guardianName: '1234' }))).code).toBe('USER_NAME_INVALID');
    const view = await recordGuardianConsent(k.ctx, k.actor, id, { guardianName: 'Josiane Payet' });
    expect(view).toMatchObject({ guardianName: 'Josiane Payet', guardianConsentAt: k.clock.now() });
    expect(view.consent.status).toBe('valid');
    const after = await row(k, id);
    expect(() => assertCanHaveSession(after, k.clock.now(), defaultPolicy)).not.toThrow();
    const last = (await auditRows(k.db)).at(-1)!;
    expect(JSON.parse(last.metadata)).toEqual({ kind: 'guardian', fields: ['guardianName'], renewed: false });
    expect(last.metadata).not.toContain('Josiane');
  });

  it('needs no guardian from the 15th birthday, counted on the Réunion calendar', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2011-03-03' }));
    expect((await getUser(k.ctx, id)).consent.status).toBe('guardian_required');
    k.clock.set(Date.parse('2026-03-02T20:00:00Z')); // midnight, 3 March, in Réunion
    expect((await getUser(k.ctx, id)).consent.status).toBe('valid');
    expect(() => assertCanHaveSession({ ...adultRow(id), birth_date: '2011-03-03' }, k.clock.now(), defaultPolicy)).not.toThrow();
  });

  it('follows the policy threshold', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2010-01-01' }));
    const user = await row(k, id);
    expect(hasValidConsent(user, k.clock.now(), defaultPolicy)).toBe(true);
    expect(hasValidConsent(user, k.clock.now(), { ...defaultPolicy, guardianConsentBelowAge: 18 })).toBe(false);
  });

  it('blocks revoked and deleted visitors', async () => {
    const k = await usersKit();
    const a = await createUser(k.ctx, k.actor, visitorInput());
    const b = await createUser(k.ctx, k.actor, visitorInput());
    await revokeConsent(k.ctx, k.actor, a.id);
    await deleteUser(k.ctx, k.actor, b.id);
    const revoked = await row(k, a.id);
    const deleted = await row(k, b.id);
    expect(consentStatus(revoked, k.clock.now(), defaultPolicy)).toBe('revoked');
    expect(blocker(() => assertCanHaveSession(revoked, k.clock.now(), defaultPolicy))).toBe('USER_ANONYMISED');
    expect(consentStatus(deleted, k.clock.now(), defaultPolicy)).toBe('deleted');
    expect(blocker(() => assertCanHaveSession(deleted, k.clock.now(), defaultPolicy))).toBe('USER_NOT_FOUND');
    expect((await errorOf(() => recordConsent(k.ctx, k.actor, a.id))).code).toBe('USER_ANONYMISED');
    expect((await errorOf(() => recordGuardianConsent(k.ctx, k.actor, b.id, { guardianName: 'X Y' }))).code).toBe('USER_NOT_FOUND');
  });

  it('renews consent when the consent text changes', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    const newer = { ...k.ctx, policy: { ...defaultPolicy, consentTextVersion: '2027-01' } };
    const stale = await getUser(newer, id);
    expect(stale.consent).toMatchObject({ status: 'valid', textVersion: '2026-01', isCurrentText: false });
    const renewed = await recordConsent(newer, k.actor, id);
    expect(renewed.consent).toMatchObject({ textVersion: '2027-01', isCurrentText: true });
    expect(JSON.parse((await auditRows(k.db)).at(-1)!.metadata)).toMatchObject({ renewed: true, consentTextVersion: '2027-01' });
  });
});

/** A consent-valid adult row for pure checks that need no database. */
function adultRow(id: number) {
  return {
    id,
    birth_date: '1990-01-01',
    consent_at: 1,
    consent_revoked_at: null,
    anonymised_at: null,
    deleted_at: null,
    guardian_name: null,
    guardian_consent_at: null,
  };
}

describe('consent status without a database', () => {
  it('treats an unknown birth date as under age (the safe side)', () => {
    expect(consentStatus({ ...adultRow(1), birth_date: null }, 0, defaultPolicy)).toBe('guardian_required');
  });

  it('carries French and English messages with the user id', () => {
    try {
      assertCanHaveSession({ ...adultRow(7), consent_at: null }, 0, defaultPolicy);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'USER_CONSENT_REQUIRED', category: 'conflict', details: { userId: 7 } });
      expect((error as DomainError).fr).toMatch(/consentement/);
    }
  });
});
