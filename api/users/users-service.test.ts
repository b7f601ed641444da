import { describe, expect, it } from 'vitest';
import { findUserRow } from './users-repository.ts';
import { createUser, getUser, updateUser } from './users-service.ts';
import { recordGuardianConsent } from './user-consent-service.ts';
import { revokeConsent, deleteUser } from './user-anonymise.ts';
import { auditRows, errorOf, userCount, usersKit, visitorInput } from './users-test-kit.ts';
import type { CreateUserInput } from './user-input.ts';

describe('createUser', () => {
  it('registers a visitor with a +262 phone, consent and one audit event', async () => {
    const k = await usersKit();
    const view = await createUser(k.ctx, k.actor, visitorInput());
    expect(view).toMatchObject({
      firstName: 'Marie',
      lastName: 'Payet',
      birthDate: '1990-05-14',
      age: 35,
      isMinor: false,
      needsGuardian: false,
      phone: '+262692123456',
      phoneDisplay: '0692 12 34 56',
      email: 'marie.payet@example.re',
      hasPhoto: false,
      createdBy: k.operatorId,
      consent: { status: 'valid', givenAt: k.clock.now(), textVersion: '2026-01', isCurrentText: true, revokedAt: null },
    });
    const events = await auditRows(k.db);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'user.created', target_type: 'user', target_id: view.id, actor_type: 'operator', actor_id: k.operatorId });
    expect(JSON.parse(events[0]!.metadata)).toEqual({
      fields: ['firstName', 'lastName', 'birthDate', 'phone', 'email', 'notes'],
      consentGiven: true,
      guardianConsentGiven: false,
      consentTextVersion: '2026-01',
    });
  });

  it('never writes personal values into the audit trail', async () => {
    const k = await usersKit();
    await createUser(k.ctx, k.actor, visitorInput());
    const text = JSON.stringify(await auditRows(k.db));
    for (const value of ['Marie', 'Payet', '1990-05-14', '692123456', 'example.re', 'CAF']) expect(text).not.toContain(value);
  });

  it('stores 0692… as +262, never as the +33 the FR region would give', async () => {
    const k = await usersKit();
    const view = await createUser(k.ctx, k.actor, visitorInput({ phone: '0692123456' }));
    const row = await findUserRow(k.db, view.id);
    expect(row?.phone).toBe('+262692123456');
    expect(row?.phone).not.toMatch(/^\+33/);
  });

  it('registers without consent: status missing', async () => {
    const k = await usersKit();
    const view = await createUser(k.ctx, k.actor, visitorInput({ consentGiven: false, email: null, notes: '' }));
    expect(view.consent.status).toBe('missing');
    expect(view.email).toBeNull();
    expect(view.notes).toBeNull();
  });

  it('refuses an invalid phone with a field error and writes nothing', async () => {
    const k = await usersKit();
    const e = await errorOf(() => createUser(k.ctx, k.actor, visitorInput({ phone: '06 12 34 56 78' })));
    expect(e).toMatchObject({ code: 'USER_PHONE_INVALID', category: 'invalid' });
    expect(e.fields.map((f) => f.field)).toEqual(['phone']);
    expect(await userCount(k.db)).toBe(0);
    expect(await auditRows(k.db)).toHaveLength(0);
  });

  it('reports every bad field at once', async () => {
    const k = await usersKit();
    const e = await errorOf(() =>
      createUser(k.ctx, k.actor, visitorInput({ firstName: '', phone: '+33612345678', birthDate: '2030-01-01', email: 'nope' })),
    );
    expect(e.code).toBe('USER_INVALID');
    expect(e.details.codes).toEqual({
      firstName: 'USER_NAME_INVALID',
      birthDate: 'USER_BIRTH_DATE_INVALID',
      phone: 'USER_PHONE_INVALID',
      email: 'USER_EMAIL_INVALID',
    });
  });

  it('refuses a future or absurd birth date', async () => {
    const k = await usersKit();
    expect((await errorOf(() => createUser(k.ctx, k.actor, visitorInput({ birthDate: '2026-03-03' })))).code).toBe('USER_BIRTH_DATE_INVALID');
    expect((await errorOf(() => createUser(k.ctx, k.actor, visitorInput({ birthDate: '1890-01-01' })))).code).toBe('USER_BIRTH_DATE_INVALID');
  });

  it('turns wrong types from the wire into field errors, not crashes', async () => {
    const k = await usersKit();
    const bad = { ...visitorInput(), lastName: 42, consentGiven: 'yes' } as unknown as CreateUserInput;
    const e = await errorOf(() => createUser(k.ctx, k.actor, bad));
    expect(e.category).toBe('invalid');
    expect(e.details.codes).toEqual({ lastName: 'USER_FIELD_REQUIRED', consentGiven: 'USER_FIELD_TYPE' });
    expect((await errorOf(() => createUser(k.ctx, k.actor, null as unknown as CreateUserInput))).category).toBe('invalid');
  });

  it('requires a guardian name when the guardian consent box is ticked', async () => {
    const k = await usersKit();
    const e = await errorOf(() => createUser(k.ctx, k.actor, visitorInput({ birthDate: '2015-01-01', guardianConsentGiven: true })));
    expect(e.code).toBe('USER_GUARDIAN_NAME_REQUIRED');
  });

  it('registers a minor with guardian and both consents in one step', async () => {
    const k = await usersKit();
    const view = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2015-01-01', guardianName: 'Josiane Payet', guardianConsentGiven: true }));
    expect(view).toMatchObject({ age: 11, isMinor: true, needsGuardian: true, guardianName: 'Josiane Payet', guardianConsentAt: k.clock.now() });
    expect(view.consent.status).toBe('valid');
  });
});

describe('updateUser', () => {
  it('changes only the given fields and audits their names', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    k.clock.advance(60_000);
    const view = await updateUser(k.ctx, k.actor, id, { phone: '+262 262 12 34 56', email: null, lastName: 'Payet' });
    expect(view).toMatchObject({ phone: '+262262123456', phoneDisplay: '0262 12 34 56', email: null, lastName: 'Payet', firstName: 'Marie' });
    expect(view.updatedAt).toBe(k.clock.now());
    const last = (await auditRows(k.db)).at(-1)!;
    expect(last.action).toBe('user.updated');
    expect(JSON.parse(last.metadata)).toEqual({ fields: ['phone', 'email'] });
  });

  it('writes nothing when nothing changes', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    await updateUser(k.ctx, k.actor, id, { firstName: ' Marie ', phone: '+262692123456' });
    await updateUser(k.ctx, k.actor, id, {});
    expect(await auditRows(k.db)).toHaveLength(1);
  });

  it('validates again and keeps the row as it was on error', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    expect((await errorOf(() => updateUser(k.ctx, k.actor, id, { email: 'marie@' }))).code).toBe('USER_EMAIL_INVALID');
    expect((await errorOf(() => updateUser(k.ctx, k.actor, id, { firstName: null as unknown as string }))).code).toBe('USER_FIELD_REQUIRED');
    expect((await getUser(k.ctx, id)).email).toBe('marie.payet@example.re');
  });

  it('makes a guardian necessary when the birth date turns out to be a child', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    const view = await updateUser(k.ctx, k.actor, id, { birthDate: '2014-06-01' });
    expect(view).toMatchObject({ age: 11, needsGuardian: true });
    expect(view.consent.status).toBe('guardian_required');
  });

  it('clears the guardian consent when the guardian changes', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2015-01-01', guardianName: 'Josiane Payet', guardianConsentGiven: true }));
    const view = await updateUser(k.ctx, k.actor, id, { guardianName: 'Paul Hoarau' });
    expect(view).toMatchObject({ guardianName: 'Paul Hoarau', guardianConsentAt: null });
    expect(view.consent.status).toBe('guardian_required');
    expect(JSON.parse((await auditRows(k.db)).at(-1)!.metadata)).toEqual({ fields: ['guardianName'], guardianConsentReset: true });
    const again = await recordGuardianConsent(k.ctx, k.actor, id);
    expect(again.consent.status).toBe('valid');
  });

  it('refuses to change an anonymised visitor, and does not find a deleted one', async () => {
    const k = await usersKit();
    const a = await createUser(k.ctx, k.actor, visitorInput());
    const b = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Paul' }));
    await revokeConsent(k.ctx, k.actor, a.id);
    await deleteUser(k.ctx, k.actor, b.id);
    expect((await errorOf(() => updateUser(k.ctx, k.actor, a.id, { firstName: 'Marie' }))).code).toBe('USER_ANONYMISED');
    expect((await errorOf(() => updateUser(k.ctx, k.actor, b.id, { firstName: 'Paul' }))).code).toBe('USER_NOT_FOUND');
  });
});

describe('getUser', () => {
  it('finds a visitor and refuses unknown, deleted and nonsense ids', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput());
    expect((await getUser(k.ctx, id)).id).toBe(id);
    for (const bad of [999, 0, -1, 1.5, Number.NaN]) {
      expect((await errorOf(() => getUser(k.ctx, bad))).code).toBe('USER_NOT_FOUND');
    }
    await deleteUser(k.ctx, k.actor, id);
    expect((await errorOf(() => getUser(k.ctx, id))).code).toBe('USER_NOT_FOUND');
  });

  it('computes the age from the injected clock in the EPN time zone', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2011-03-03' }));
    expect((await getUser(k.ctx, id)).age).toBe(14);
    k.clock.set(Date.parse('2026-03-02T20:30:00Z')); // 00:30 on 3 March in Réunion
    expect((await getUser(k.ctx, id)).age).toBe(15);
  });
});
