import { Kind, Type, type Static, type TBoolean, type TInteger, type TLiteral, type TSchema, type TString, type TUnion } from '@sinclair/typebox';
import type { CreateCheck } from '../sessions/session-quota.ts';
import type { AnonymisationResult } from '../users/user-anonymise.ts';
import type { UserExport } from '../users/user-export.ts';
import type { PhotoChange } from '../users/user-photo-service.ts';
import type { UserStatsReport } from '../users/user-stats.ts';
import type { UserView } from '../users/user-view.ts';
import { epochToIso, pageOf, PageQuery, SortOrder } from './common.ts';
import { SESSION_SORT_FIELDS, SessionStatus } from './session.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/**
 * Nullable for a scalar: `type: [t, 'null']` instead of `anyOf`. The same JSON
 * Schema for validation and in the OpenAPI document (both become
 * `type: t, nullable: true`), but the response serializer writes it directly;
 * an `anyOf` makes it run a schema check on every field of every row to pick
 * a branch (a visitors page has 13 such fields on each of its 50 rows).
 */
const NullableScalar = <T extends TString | TInteger | TBoolean>(t: T) =>
  Type.Unsafe<Static<T> | null>({ ...t, [Kind]: 'Unsafe', type: [t.type as string, 'null'] });
const literals = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), options) as TUnion<TLiteral<T[number]>[]>;
const Iso = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const iso = (ms: number) => epochToIso(ms)!;

export const ConsentStatus = literals(
  ['valid', 'missing', 'guardian_required', 'revoked', 'deleted'],
  { description: 'valid; missing (never given); guardian_required (under the guardian age without a guardian’s consent); revoked (anonymised); deleted.' },
);

/** A visitor as the panel shows them. Personal fields are null once anonymised. */
export const User = Type.Object({
  id: Type.Integer(),
  firstName: NullableScalar(Type.String()),
  lastName: NullableScalar(Type.String()),
  birthDate: NullableScalar(Type.String({ description: 'YYYY-MM-DD.' })),
  age: NullableScalar(Type.Integer({ description: 'Whole years on the EPN’s local day.' })),
  isMinor: NullableScalar(Type.Boolean({ description: 'Under 18.' })),
  needsGuardian: NullableScalar(Type.Boolean({ description: 'Under the guardian age of the policy (15 by default).' })),
  phone: NullableScalar(Type.String({ description: 'E.164, e.g. +262692123456.' })),
  phoneDisplay: NullableScalar(Type.String({ description: 'National form, e.g. 0692 12 34 56.' })),
  email: NullableScalar(Type.String()),
  notes: NullableScalar(Type.String()),
  hasPhoto: Type.Boolean({ description: 'GET /api/users/{id}/photo serves it.' }),
  photoMime: NullableScalar(Type.String()),
  guardianName: NullableScalar(Type.String()),
  guardianConsentAt: NullableScalar(Iso()),
  consent: Type.Object({
    status: ConsentStatus,
    givenAt: NullableScalar(Iso()),
    textVersion: NullableScalar(Type.String()),
    isCurrentText: Type.Boolean({ description: 'False when the visitor agreed to an older consent text: record the consent again.' }),
    revokedAt: NullableScalar(Iso()),
  }),
  anonymisedAt: NullableScalar(Iso()),
  deletedAt: NullableScalar(Iso()),
  createdBy: NullableScalar(Type.Integer({ description: 'Operator who registered the visitor.' })),
  createdAt: Iso(),
  updatedAt: Iso(),
});
export type User = Static<typeof User>;

// Written out rather than spread: a list maps 50 rows at a time, and a literal in schema order
// is built with one object shape and no copy of the view.
export function userToWire(v: UserView): User {
  const c = v.consent;
  return {
    id: v.id,
    firstName: v.firstName,
    lastName: v.lastName,
    birthDate: v.birthDate,
    age: v.age,
    isMinor: v.isMinor,
    needsGuardian: v.needsGuardian,
    phone: v.phone,
    phoneDisplay: v.phoneDisplay,
    email: v.email,
    notes: v.notes,
    hasPhoto: v.hasPhoto,
    photoMime: v.photoMime,
    guardianName: v.guardianName,
    guardianConsentAt: epochToIso(v.guardianConsentAt),
    consent: { status: c.status, givenAt: epochToIso(c.givenAt), textVersion: c.textVersion, isCurrentText: c.isCurrentText, revokedAt: epochToIso(c.revokedAt) },
    anonymisedAt: epochToIso(v.anonymisedAt),
    deletedAt: epochToIso(v.deletedAt),
    createdBy: v.createdBy,
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
  };
}

export const UserPage = pageOf(User);

export const UserListQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200, description: 'Words in names or email (case and accents ignored), or a phone fragment (0692 12…).' })),
    consent: Type.Optional(literals(['valid', 'missing', 'guardian_required', 'revoked'])),
    includeAnonymised: Type.Optional(Type.Boolean({ default: false })),
    sort: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('createdAt')], { description: 'Default name (last, first).' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'Default asc for name, desc for createdAt.' })),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);

// Bounds on raw input only; the visitors domain checks the values and says why in French and English.
const Name = Type.String({ maxLength: 300 });
const BirthDate = Type.String({ maxLength: 32, description: 'YYYY-MM-DD.', examples: ['1990-05-14'] });
const Phone = Type.String({ maxLength: 64, description: 'A Réunion number, national or international: 0692 12 34 56, +262 692 12 34 56.' });
const Email = Nullable(Type.String({ maxLength: 320 }));
const Notes = Nullable(Type.String({ maxLength: 4000 }));
const GuardianName = Nullable(Type.String({ maxLength: 400, description: 'Legal guardian, required (with their consent) under the guardian age.' }));

export const CreateUserBody = Type.Object(
  {
    firstName: Name,
    lastName: Name,
    birthDate: BirthDate,
    phone: Phone,
    email: Type.Optional(Email),
    notes: Type.Optional(Notes),
    guardianName: Type.Optional(GuardianName),
    consentGiven: Type.Boolean({ description: 'The visitor agrees now to the current RGPD consent text.' }),
    guardianConsentGiven: Type.Optional(Type.Boolean({ description: 'The guardian named agrees now.' })),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

/** PUT: the whole editable record; an optional field left out is cleared. */
export const ReplaceUserBody = Type.Object(
  { firstName: Name, lastName: Name, birthDate: BirthDate, phone: Phone, email: Type.Optional(Email), notes: Type.Optional(Notes), guardianName: Type.Optional(GuardianName) },
  { additionalProperties: false },
);
export type ReplaceUserBody = Static<typeof ReplaceUserBody>;

/** PATCH: only the fields present change; null clears an optional one. A new guardian name clears the guardian's consent. */
export const PatchUserBody = Type.Partial(ReplaceUserBody, { additionalProperties: false });
export type PatchUserBody = Static<typeof PatchUserBody>;

/** Optional: without a body (or a name) the guardian on file consents. */
export const GuardianConsentBody = Nullable(
  Type.Object(
    { guardianName: Type.Optional(Type.String({ maxLength: 400, description: 'Names (or renames) the guardian; without it the name on file is used.' })) },
    { additionalProperties: false },
  ),
);

export const Anonymisation = Type.Object({
  user: User,
  cancelledSessionIds: Type.Array(Type.Integer(), { description: 'Unused codes cancelled.' }),
  photoFileRemoved: Type.Boolean({ description: 'False: the photo file will be removed by the orphan sweep (the record no longer points at it).' }),
});
export type Anonymisation = Static<typeof Anonymisation>;

export function anonymisationToWire(r: AnonymisationResult): Anonymisation {
  return { user: userToWire(r.user), cancelledSessionIds: r.cancelledSessionIds, photoFileRemoved: r.photoFileRemoved };
}

export const PhotoChangeResult = Type.Object({
  user: User,
  previousFileRemoved: Type.Boolean({ description: 'False: the previous file will be removed by the orphan sweep.' }),
});
export type PhotoChangeResult = Static<typeof PhotoChangeResult>;

export function photoChangeToWire(c: PhotoChange): PhotoChangeResult {
  return { user: userToWire(c.user), previousFileRemoved: c.previousFileRemoved };
}

/**
 * The multipart upload, for the OpenAPI document. The parts are read as a
 * stream, so Fastify's body is null when this is checked: `nullable` lets it
 * through, and the file itself is judged by the visitors domain.
 */
export const PhotoUploadBody = Type.Unsafe<unknown>({
  type: 'object',
  nullable: true,
  description: 'One file part: a JPEG or PNG of at most 5 MiB, recognised by its content, not its name or declared type.',
  properties: { photo: { type: 'string', format: 'binary', description: 'The ID photo (any field name is accepted; one file only).' } },
  required: ['photo'],
});

export const UserSessionsQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(SessionStatus, { maxItems: 4, description: 'Repeat to combine.' })),
    sort: Type.Optional(literals(SESSION_SORT_FIELDS)),
    order: Type.Optional(SortOrder),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);

export const CanCreateSession = Type.Object({
  allowed: Type.Boolean(),
  reason: Nullable(
    literals(['consent_required', 'guardian_consent_required', 'user_anonymised', 'daily_quota_reached'], { description: 'The first rule that refuses; null when allowed.' }),
  ),
  message: Nullable(Type.Object({ fr: Type.String(), en: Type.String() })),
  usedToday: Type.Integer({ description: 'Codes issued today (local day) that count against the quota.' }),
  quota: Type.Integer(),
});
export type CanCreateSession = Static<typeof CanCreateSession>;

export function canCreateToWire(c: CreateCheck): CanCreateSession {
  return c;
}

export const UserStatsQuery = Type.Object(
  {
    from: Type.Optional(Iso('Start of a period (inclusive); with `to`, adds station use per visitor.')),
    to: Type.Optional(Iso('End of the period (exclusive).')),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Visitors listed in period.topVisitors.' })),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });

export const UserStats = Type.Object({
  computedAt: Iso(),
  timeZone: Type.String(),
  monthStart: Iso('Start of the current local month (bound of newThisMonth).'),
  dayStart: Iso('Start of the current local day (bound of newToday).'),
  counts: Type.Object({
    total: Type.Integer({ description: 'Visitors not deleted, anonymised included.' }),
    active: Type.Integer({ description: 'Not anonymised: personal data on file.' }),
    anonymised: Count,
    deleted: Count,
    consent: Type.Object({ valid: Count, missing: Count, guardianRequired: Count }, { description: 'Among active visitors.' }),
    minors: Type.Integer({ description: 'Active visitors under 18.' }),
    underGuardianAge: Type.Integer({ description: 'Active visitors under the guardian age of the policy.' }),
    withPhoto: Count,
    newThisMonth: Count,
    newToday: Count,
  }),
  period: Nullable(
    Type.Object({
      from: Iso(),
      to: Iso(),
      sessionsStarted: Count,
      minutesUsed: Type.Number({ description: 'One decimal; sessions crossing the edges are clipped.' }),
      distinctVisitors: Count,
      topVisitors: Type.Array(
        Type.Object({
          userId: Type.Integer(),
          firstName: Nullable(Type.String()),
          lastName: Nullable(Type.String()),
          sessions: Count,
          minutesUsed: Type.Number(),
          lastVisitAt: Nullable(Iso()),
        }),
        { description: 'Most time used first.' },
      ),
    }),
  ),
});
export type UserStats = Static<typeof UserStats>;

export function userStatsToWire(s: UserStatsReport): UserStats {
  const p = s.period;
  return {
    ...s,
    computedAt: iso(s.computedAt),
    monthStart: iso(s.monthStart),
    dayStart: iso(s.dayStart),
    period:
      p === null
        ? null
        : { ...p, from: iso(p.from), to: iso(p.to), topVisitors: p.topVisitors.map((v) => ({ ...v, lastVisitAt: epochToIso(v.lastVisitAt) })) },
  };
}

const ExportedSession = Type.Object({
  id: Type.Integer(),
  status: SessionStatus,
  endReason: Nullable(Type.String()),
  createdAt: Iso(),
  codeExpiresAt: Iso(),
  startedAt: Nullable(Iso()),
  endedAt: Nullable(Iso()),
  station: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  stationIp: Nullable(Type.String()),
  allottedSeconds: Type.Integer(),
  usedSeconds: Type.Integer(),
});

const ExportedAuditEvent = Type.Object({
  id: Type.Integer(),
  occurredAt: Iso(),
  action: Type.String(),
  actorType: Type.String(),
  actorId: Nullable(Type.Integer()),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.Integer()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
});

/** Everything held about one person (RGPD art. 15), as a downloadable JSON document. */
export const UserExportDocument = Type.Object({
  format: Type.Literal('epnbox.user-export'),
  version: Type.Literal(1),
  exportedAt: Iso(),
  timeZone: Type.String({ description: 'How the EPN reads the times (they are UTC here).' }),
  profile: User,
  photo: Nullable(
    Type.Object({
      mime: Type.String(),
      width: Nullable(Type.Integer()),
      height: Nullable(Type.Integer()),
      sizeBytes: Type.Integer(),
      base64: Nullable(Type.String({ description: 'Null when the file is missing from the photo store.' })),
    }),
  ),
  sessions: Type.Array(ExportedSession),
  auditEvents: Type.Array(ExportedAuditEvent),
});
export type UserExportDocument = Static<typeof UserExportDocument>;

export function userExportToWire(e: UserExport): UserExportDocument {
  return {
    ...e,
    exportedAt: iso(e.exportedAt),
    profile: userToWire(e.profile),
    sessions: e.sessions.map(({ allottedMs, usedMs, ...s }) => ({
      ...s,
      createdAt: iso(s.createdAt),
      codeExpiresAt: iso(s.codeExpiresAt),
      startedAt: epochToIso(s.startedAt),
      endedAt: epochToIso(s.endedAt),
      allottedSeconds: Math.round(allottedMs / 1000),
      usedSeconds: Math.round(usedMs / 1000),
    })),
    auditEvents: e.auditEvents.map((a) => ({ ...a, occurredAt: iso(a.occurredAt), metadata: (a.metadata ?? {}) as Record<string, unknown> })),
  };
}
