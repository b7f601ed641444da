import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_PAGE_SIZE } from '../shared/pagination.ts';
import { isoInstant } from './iso-instant.ts';

/** Page-based pagination: the same query fields on every list. */
export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })),
});

export const SortOrder = Type.Union([Type.Literal('asc'), Type.Literal('desc')]);

/** `{ items, total, page, pageSize }` around any item schema. */
export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ description: 'Items matching the filters over all pages.' }),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  });
}

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** ISO 8601 on the wire, epoch ms inside. */
export function isoToEpoch(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}

export function epochToIso(value: number | null | undefined): string | null {
  return value === null || value === undefined ? null : isoInstant(Number(value));
}
