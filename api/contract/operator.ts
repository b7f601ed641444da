import { Type, type Static } from '@sinclair/typebox';
import { MAX_DISPLAY_NAME_LENGTH } from '../operators/operator-errors.ts';
import { OPERATOR_SORTS, type OperatorView } from '../operators/operator-view.ts';
import { PageQuery, SortOrder, epochToIso, pageOf } from './common.ts';

export const OperatorRole = Type.Union([Type.Literal('admin'), Type.Literal('operator')]);

export const Operator = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: OperatorRole,
  active: Type.Boolean(),
  mustChangePassword: Type.Boolean({ description: 'The password is a one-time password to change at the next login.' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type Operator = Static<typeof Operator>;

export const OperatorPage = pageOf(Operator);

export const OperatorListQuery = Type.Object(
  {
    role: Type.Optional(OperatorRole),
    active: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Text in the username or display name.' })),
    sort: Type.Optional(Type.Union(OPERATOR_SORTS.map((s) => Type.Literal(s)))),
    order: Type.Optional(SortOrder),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);

const DisplayName = Type.String({ minLength: 1, maxLength: MAX_DISPLAY_NAME_LENGTH });

export const NewOperatorBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, description: 'a-z 0-9 . _ - (stored lower-case).' }),
    displayName: DisplayName,
    role: OperatorRole,
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Absent: a one-time password is generated and returned once.' })),
    mustChangePassword: Type.Optional(Type.Boolean({ description: 'With a chosen password only; default true.' })),
  },
  { additionalProperties: false },
);

export const OperatorPatchBody = Type.Object(
  { displayName: Type.Optional(DisplayName), role: Type.Optional(OperatorRole), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

export const OperatorWithPassword = Type.Object({
  operator: Operator,
  oneTimePassword: Type.Union([Type.String(), Type.Null()], { description: 'Shown once; the operator must change it at the first login. Null when the admin chose the password.' }),
});

export function toOperatorWire(view: OperatorView): Operator {
  return {
    ...view,
    createdAt: epochToIso(view.createdAt)!,
    updatedAt: epochToIso(view.updatedAt)!,
    lastLoginAt: epochToIso(view.lastLoginAt),
  };
}
