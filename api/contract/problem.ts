import { Type, type Static } from '@sinclair/typebox';

/** RFC 9457 problem details, with a stable machine code and both languages. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem kind: urn:epnbox:problem:<code>' }),
    title: Type.String({ description: 'Short English summary of the kind of problem.' }),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine code, e.g. SESSION_CODE_INVALID.' }),
    detail: Type.String({ description: 'Human message, in French.' }),
    detailEn: Type.String({ description: 'The same message in English.' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), fr: Type.String(), en: Type.String() }), { description: 'Field-level details of a validation error.' }),
    ),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    requestId: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
  },
  { $id: 'Problem', title: 'Problem' },
);
export type Problem = Static<typeof Problem>;
