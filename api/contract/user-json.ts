import type { UserView } from '../users/user-view.ts';
import type { JsonText } from './json-text.ts';

/**
 * userToWire and the response serializer in one step, for list pages: User
 * (user.ts) written from the view as JSON, its fields in the schema's order,
 * without building the wire object (test/api/list-bodies.test.ts: the same
 * bytes as the serializer on userToWire, for every status and edge value).
 */
export function writeUser(w: JsonText, v: UserView): void {
  const c = v.consent;
  w.raw('{"id":'); w.number(v.id);
  w.raw(',"firstName":'); w.string(v.firstName);
  w.raw(',"lastName":'); w.string(v.lastName);
  w.raw(',"birthDate":'); w.string(v.birthDate);
  w.raw(',"age":'); w.number(v.age);
  w.raw(',"isMinor":'); w.boolean(v.isMinor);
  w.raw(',"needsGuardian":'); w.boolean(v.needsGuardian);
  w.raw(',"phone":'); w.string(v.phone);
  w.raw(',"phoneDisplay":'); w.string(v.phoneDisplay);
  w.raw(',"email":'); w.string(v.email);
  w.raw(',"notes":'); w.string(v.notes);
  w.raw(',"hasPhoto":'); w.boolean(v.hasPhoto);
  w.raw(',"photoMime":'); w.string(v.photoMime);
  w.raw(',"guardianName":'); w.string(v.guardianName);
  w.raw(',"guardianConsentAt":'); w.instant(v.guardianConsentAt);
  w.raw(',"consent":{"status":'); w.string(c.status);
  w.raw(',"givenAt":'); w.instant(c.givenAt);
  w.raw(',"textVersion":'); w.string(c.textVersion);
  w.raw(',"isCurrentText":'); w.boolean(c.isCurrentText);
  w.raw(',"revokedAt":'); w.instant(c.revokedAt);
  w.raw('},"anonymisedAt":'); w.instant(v.anonymisedAt);
  w.raw(',"deletedAt":'); w.instant(v.deletedAt);
  w.raw(',"createdBy":'); w.number(v.createdBy);
  w.raw(',"createdAt":'); w.instant(v.createdAt);
  w.raw(',"updatedAt":'); w.instant(v.updatedAt);
  w.raw('}');
}
