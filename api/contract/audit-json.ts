import type { AuditEventView } from '../audit/audit-view.ts';
import { jsonNullableNumber as num, jsonString as str } from './json-text.ts';

/**
 * The response serializer's text of AuditEvent (audit.ts) for list pages,
 * written from the view (the view is the wire form), fields in the schema's
 * order (list-bodies.test.ts: the same bytes as the serializer).
 */
export function auditEventJson(v: AuditEventView): string {
  // The serializer wrote the metadata Record key by key with JSON.stringify; for the plain
  // object toAuditView always gives, that is JSON.stringify of the whole.
  const target = v.target === null ? 'null' : `{"type":${str(v.target.type)},"id":${num(v.target.id)}}`;
  return (
    `{"id":${v.id},"occurredAt":${str(v.occurredAt)},"actor":{"type":${str(v.actor.type)},"id":${num(v.actor.id)}},"action":${str(v.action)},` +
    `"target":${target},"metadata":${JSON.stringify(v.metadata)},"prevHash":${str(v.prevHash)},"hash":${str(v.hash)}}`
  );
}
