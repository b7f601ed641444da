import { Type } from '@sinclair/typebox';
import type { EnrolledStation } from '../enrollment/enroll-station.ts';
import { epochToIso } from './common.ts';

/** What the station agent sends once, as root, at its first start after a network boot. */
export const EnrollBody = Type.Object(
  {
    nonce: Type.String({ minLength: 1, maxLength: 128, description: 'The epnbox.enroll= value of the kernel command line.' }),
    mac: Type.String({ minLength: 1, maxLength: 32, description: 'MAC of the interface the station booted from, any common notation.' }),
  },
  { additionalProperties: false },
);

export const EnrollResponse = Type.Object({
  stationId: Type.Integer(),
  stationName: Type.String(),
  token: Type.String({ description: 'The station token (st_…), shown once: send it as "Authorization: Bearer st_…".' }),
  issuedAt: Type.String({ format: 'date-time' }),
  serverTime: Type.String({ format: 'date-time' }),
});

export function enrolledToWire(enrolled: EnrolledStation, now: number) {
  return { stationId: enrolled.stationId, stationName: enrolled.stationName, token: enrolled.token, issuedAt: epochToIso(enrolled.issuedAt)!, serverTime: epochToIso(now)! };
}
