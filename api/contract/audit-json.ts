import type { AuditEventView } from '../audit/audit-view.ts';
import type { JsonText } from './json-text.ts';

/**
 * The response serializer's text of AuditEvent (audit.ts) for list pages,
 * written from the view (the view is the wire form), fields in the schema's
 * order (test/api/list-bodies.test.ts: the same bytes as the serializer).
 */
export function writeAuditEvent(w: JsonText, v: AuditEventView): void {
  w.raw('{"id":'); w.number(v.id);
  w.raw(',"occurredAt":'); w.string(v.occurredAt);
  w.raw(',"actor":{"type":'); w.string(v.actor.type);
  w.raw(',"id":'); w.number(v.actor.id);
  w.raw('},"action":'); w.string(v.action);
  if (v.target === null) w.raw(',"target":null');
  else {
    w.raw(',"target":{"type":'); w.string(v.target.type);
    w.raw(',"id":'); w.number(v.target.id);
    w.raw('}');
  }
  // The serializer wrote the metadata Record key by key with JSON.stringify; for the plain
  // object toAuditView always gives, that is JSON.stringify of the whole.
  w.raw(',"metadata":'); w.json(JSON.stringify(v.metadata));
  w.raw(',"prevHash":'); w.string(v.prevHash);
  w.raw(',"hash":'); w.string(v.hash);
  w.raw('}');
}
