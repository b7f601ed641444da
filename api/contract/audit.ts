import { Type, type Static } from '@sinclair/typebox';
import { ACTOR_TYPES, AUDIT_ACTIONS, TARGET_TYPES } from '../audit/audit-actions.ts';
import { PageQuery, pageOf } from './common.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const AuditAction = literals(AUDIT_ACTIONS);
export const ActorType = literals(ACTOR_TYPES);
export const TargetType = literals(TARGET_TYPES);

export const AuditEvent = Type.Object({
  id: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: Type.Object({ type: Type.String(), id: Type.Union([Type.Integer(), Type.Null()]) }),
  action: Type.String(),
  target: Type.Union([Type.Object({ type: Type.String(), id: Type.Union([Type.Integer(), Type.Null()]) }), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});
export type AuditEvent = Static<typeof AuditEvent>;

const PeriodFields = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive start (ISO 8601).' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive end (ISO 8601).' })),
};

/** Search criteria: the same in the list's query string and the search body. */
const FilterFields = {
  actions: Type.Optional(Type.Array(AuditAction, { maxItems: AUDIT_ACTIONS.length })),
  actorType: Type.Optional(ActorType),
  actorId: Type.Optional(Type.Integer({ minimum: 1 })),
  targetType: Type.Optional(TargetType),
  targetId: Type.Optional(Type.Integer({ minimum: 1 })),
  text: Type.Optional(Type.String({ maxLength: 200 })),
  ...PeriodFields,
};

export const AuditListQuery = Type.Object(
  {
    ...FilterFields,
    action: Type.Optional(AuditAction),
    sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('oldest')])),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);
export const AuditSearchBody = Type.Object(
  { ...FilterFields, sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('oldest')])), ...PageQuery.properties },
  { additionalProperties: false },
);
export const AuditPeriodQuery = Type.Object(PeriodFields, { additionalProperties: false });
export const AuditPage = pageOf(AuditEvent);
export const AuditStats = Type.Object({
  total: Type.Integer(),
  byAction: Type.Record(Type.String(), Type.Integer()),
  byActorType: Type.Record(Type.String(), Type.Integer()),
  byDay: Type.Record(Type.String(), Type.Integer(), { description: 'Local calendar day (configured time zone) -> events.' }),
  errors: Type.Integer(),
});
export const ChainReport = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  lastHash: Type.Optional(Type.String()),
  brokenAt: Type.Optional(Type.Integer({ description: 'Id of the first event whose content or link does not match.' })),
  reason: Type.Optional(Type.Union([Type.Literal('hash_mismatch'), Type.Literal('prev_hash_mismatch')])),
});
