import type { Actor } from '../audit/audit-actions.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { bornOnOrBefore } from './birth-date.ts';
import { searchTextOf } from './person-fields.ts';
import { auditUser, loadChangeableUser, loadVisibleUser, operatorIdOf } from './user-access.ts';
import { fieldIssue, validationError } from './user-errors.ts';
import { checkCreateInput, checkPersonFields, presentFields, type CreateUserInput, type PersonField, type UpdateUserInput } from './user-input.ts';
import { toUserView, userViewer, type UserView } from './user-view.ts';
import { insertUserRow, updateUserRow } from './users-repository.ts';
import { listUserRows, type ListConsentFilter } from './users-query.ts';
import type { User, UserUpdate } from './users-table.ts';

const COLUMN: Record<PersonField, keyof User> = {
  firstName: 'first_name',
  lastName: 'last_name',
  birthDate: 'birth_date',
  phone: 'phone',
  email: 'email',
  notes: 'notes',
  guardianName: 'guardian_name',
};

function asRecord(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
}

/** Registers a visitor; consent (and a guardian's) may be given in the same step. */
export async function createUser(ctx: DomainContext, actor: Actor, input: CreateUserInput): Promise<UserView> {
  const now = ctx.clock.now();
  const v = checkCreateInput(asRecord(input) as unknown as CreateUserInput, { now, timeZone: ctx.policy.timeZone });
  const consentGiven = input.consentGiven === true;
  const guardianConsentGiven = input.guardianConsentGiven === true;
  const row = await inTransaction(ctx.db, async (trx) => {
    const user = await insertUserRow(trx, {
      first_name: v.firstName,
      last_name: v.lastName,
      birth_date: v.birthDate,
      phone: v.phone,
      email: v.email,
      notes: v.notes,
      guardian_name: v.guardianName,
      guardian_consent_at: guardianConsentGiven ? now : null,
      consent_at: consentGiven ? now : null,
      consent_text_version: consentGiven ? ctx.policy.consentTextVersion : null,
      search_text: searchTextOf({ first_name: v.firstName, last_name: v.lastName, email: v.email }),
      created_by: operatorIdOf(actor),
      created_at: now,
      updated_at: now,
    });
    const fields = (Object.keys(COLUMN) as PersonField[]).filter((f) => v[f] !== null);
    await auditUser(trx, ctx.clock, actor, 'user.created', user.id, {
      fields,
      consentGiven,
      guardianConsentGiven,
      ...(consentGiven ? { consentTextVersion: ctx.policy.consentTextVersion } : {}),
    });
    return user;
  });
  return toUserView(row, now, ctx.policy);
}

/**
 * Changes some fields; each present field is checked again. Nothing changed
 * means no write and no audit event. A new guardian name clears the previous
 * guardian's consent: the new guardian must consent. A birth date that makes
 * the visitor a minor leaves consent status `guardian_required` until then.
 */
export async function updateUser(ctx: DomainContext, actor: Actor, id: number, input: UpdateUserInput): Promise<UserView> {
  const now = ctx.clock.now();
  const record = asRecord(input);
  const fields = presentFields(record);
  const values = checkPersonFields(record, fields, { now, timeZone: ctx.policy.timeZone });
  const row = await inTransaction(ctx.db, async (trx) => {
    const user = await loadChangeableUser(trx, id);
    const changed = fields.filter((f) => (values[f] ?? null) !== user[COLUMN[f]]);
    if (changed.length === 0) return user;
    const patch: UserUpdate = { updated_at: now };
    for (const f of changed) Object.assign(patch, { [COLUMN[f]]: values[f] ?? null });
    const guardianReset = changed.includes('guardianName') && user.guardian_consent_at !== null;
    if (changed.includes('guardianName')) patch.guardian_consent_at = null;
    const merged = { ...user, ...patch } as User;
    patch.search_text = searchTextOf(merged);
    const updated = await updateUserRow(trx, id, patch);
    await auditUser(trx, ctx.clock, actor, 'user.updated', id, { fields: changed, ...(guardianReset ? { guardianConsentReset: true } : {}) });
    return updated;
  });
  return toUserView(row, now, ctx.policy);
}

/** One visitor (anonymised ones included, deleted ones not found). */
export async function getUser(ctx: DomainContext, id: number): Promise<UserView> {
  const user = await reading(() => loadVisibleUser(ctx.db, id));
  return toUserView(user, ctx.clock.now(), ctx.policy);
}

export interface ListUsersOptions extends PageRequest {
  /** Words matched in names and email (case and accents ignored) or a phone fragment. */
  search?: string;
  consent?: ListConsentFilter;
  /** Show anonymised visitors too (default false). Deleted visitors are never listed. */
  includeAnonymised?: boolean;
  /** Default `name` (last name, then first name). */
  sort?: 'name' | 'created_at';
  /** Default ascending for `name`, descending (newest first) for `created_at`. */
  order?: 'asc' | 'desc';
}

const CONSENT_FILTERS: readonly ListConsentFilter[] = ['valid', 'missing', 'guardian_required', 'revoked'];

function checkListOptions(options: ListUsersOptions): void {
  const issues = [];
  if (options.consent !== undefined && !CONSENT_FILTERS.includes(options.consent)) {
    issues.push(fieldIssue('USER_LIST_INVALID', 'consent', `Valeurs : ${CONSENT_FILTERS.join(', ')}.`, `Values: ${CONSENT_FILTERS.join(', ')}.`));
  }
  if (options.sort !== undefined && options.sort !== 'name' && options.sort !== 'created_at') {
    issues.push(fieldIssue('USER_LIST_INVALID', 'sort', 'Valeurs : name, created_at.', 'Values: name, created_at.'));
  }
  if (options.order !== undefined && options.order !== 'asc' && options.order !== 'desc') {
    issues.push(fieldIssue('USER_LIST_INVALID', 'order', 'Valeurs : asc, desc.', 'Values: asc, desc.'));
  }
  if (options.search !== undefined && (typeof options.search !== 'string' || options.search.length > 200)) {
    issues.push(fieldIssue('USER_LIST_INVALID', 'search', '200 caractères au plus.', 'At most 200 characters.'));
  }
  if (issues.length > 0) throw validationError(issues);
}

export async function listUsers(ctx: DomainContext, options: ListUsersOptions = {}): Promise<Page<UserView>> {
  checkListOptions(options);
  const page = clampPage(options);
  const now = ctx.clock.now();
  const sort = options.sort ?? 'name';
  const { rows, total } = await reading(() =>
    listUserRows(ctx.db, {
      search: options.search,
      consent: options.consent,
      includeAnonymised: options.includeAnonymised === true,
      guardianCutoff: bornOnOrBefore(ctx.policy.guardianConsentBelowAge, now, ctx.policy.timeZone),
      sort,
      order: options.order ?? (sort === 'name' ? 'asc' : 'desc'),
      offset: page.offset,
      limit: page.limit,
    }),
  );
  return toPage(rows.map(userViewer(now, ctx.policy)), total, page);
}
