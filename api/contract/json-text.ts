import { isoInstant } from './iso-instant.ts';

/*
 * Pieces of JSON text for the list pages' writers (user-json.ts and the
 * others): a page is written as text straight from the domain's views, the
 * same bytes the response serializer (fast-json-stringify) wrote from the
 * wire objects, without building those objects, and sent as one UTF-8 buffer
 * (no string for Fastify to flatten, measure and encode on the way out).
 * test/api/list-bodies.test.ts holds every writer to the serializer's bytes.
 */

/**
 * A string as JSON, as JSON.stringify (and the serializer) write it. Most
 * strings need no escape: a scan of their code units is cheaper than calling
 * JSON.stringify for each; any quote, backslash, control character or
 * surrogate (a lone one is escaped) leaves the string to JSON.stringify.
 */
export function jsonString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

export const jsonNullableString = (value: string | null): string => (value === null ? 'null' : jsonString(value));

/** A finite number (the lists' integers and percentages) as JSON.stringify writes it. */
export const jsonNullableNumber = (value: number | null): string => (value === null ? 'null' : `${value}`);

export const jsonNullableBoolean = (value: boolean | null): string => (value === null ? 'null' : value ? 'true' : 'false');

/** An instant (epoch ms) as the wire's ISO 8601 string; isoInstant writes nothing JSON must escape. */
export const jsonInstant = (ms: number): string => `"${isoInstant(ms)}"`;

export const jsonNullableInstant = (ms: number | null): string => (ms === null ? 'null' : `"${isoInstant(ms)}"`);

/** `{ items, total, page, pageSize }` (pageOf, common.ts) around items already written, as UTF-8. */
export function pageBody<T>(page: { items: readonly T[]; total: number; page: number; pageSize: number }, item: (value: T) => string): Buffer {
  return Buffer.from(`{"items":[${page.items.map(item).join(',')}],"total":${page.total},"page":${page.page},"pageSize":${page.pageSize}}`);
}
