import type { UserView } from '../users/user-view.ts';
import { jsonNullableBoolean as bool, jsonInstant as instant, jsonNullableInstant as maybeInstant, jsonNullableNumber as num, jsonNullableString as str } from './json-text.ts';

/**
 * userToWire and the response serializer in one step, for list pages: the JSON
 * text of User (user.ts) written from the view, its fields in the schema's
 * order, without building the wire object (list-bodies.test.ts: the same bytes
 * as the serializer on userToWire, for every status and edge value).
 */
export function userJson(v: UserView): string {
  const c = v.consent;
  // The consent status is a word of ConsentStatus: nothing to escape.
  return (
    `{"id":${v.id},"firstName":${str(v.firstName)},"lastName":${str(v.lastName)},"birthDate":${str(v.birthDate)},"age":${num(v.age)},` +
    `"isMinor":${bool(v.isMinor)},"needsGuardian":${bool(v.needsGuardian)},"phone":${str(v.phone)},"phoneDisplay":${str(v.phoneDisplay)},` +
    `"email":${str(v.email)},"notes":${str(v.notes)},"hasPhoto":${v.hasPhoto},"photoMime":${str(v.photoMime)},"guardianName":${str(v.guardianName)},` +
    `"guardianConsentAt":${maybeInstant(v.guardianConsentAt)},"consent":{"status":"${c.status}","givenAt":${maybeInstant(c.givenAt)},` +
    `"textVersion":${str(c.textVersion)},"isCurrentText":${c.isCurrentText},"revokedAt":${maybeInstant(c.revokedAt)}},` +
    `"anonymisedAt":${maybeInstant(v.anonymisedAt)},"deletedAt":${maybeInstant(v.deletedAt)},"createdBy":${num(v.createdBy)},` +
    `"createdAt":${instant(v.createdAt)},"updatedAt":${instant(v.updatedAt)}}`
  );
}
