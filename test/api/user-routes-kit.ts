/** Setup shared by the visitor route tests: the real app, an operator, an admin and a station token. */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import type { PhotoStore } from '../../api/users/photo-store.ts';
import { seedStation } from '../../api/users/users-test-kit.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

export type Headers = Record<string, string>;

export interface UserHarness extends ApiHarness {
  marie: Headers;
  admin: Headers;
  /** Headers of a station token (a principal that must never see visitors). */
  station: Headers;
  stationId: number;
  call(method: string, url: string, headers?: Headers, payload?: unknown): Promise<LightMyRequestResponse>;
  /** Registers a visitor through the API as marie; returns the JSON body. */
  visitor(overrides?: Record<string, unknown>): Promise<{ id: number; [key: string]: unknown }>;
}

let phoneSeq = 10;

export async function createUserHarness(options: { photos?: PhotoStore } = {}): Promise<UserHarness> {
  const h = await createApiHarness(options);
  const marie = await h.bearer('marie');
  const admin = await h.bearer('admin');
  const st = await seedStation(h.db, h.clock.now());
  const station = { authorization: `Bearer ${await issueStationToken(h.ctx, st.id)}` };
  const call: UserHarness['call'] = (method, url, headers = {}, payload) =>
    h.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return {
    ...h,
    marie,
    admin,
    station,
    stationId: st.id,
    call,
    visitor: async (overrides = {}) => {
      phoneSeq += 1;
      const res = await call('POST', '/api/users', marie, {
        firstName: 'Marie',
        lastName: 'Payet',
        birthDate: '1990-05-14',
        phone: `0692 40 ${String(phoneSeq % 100).padStart(2, '0')} 12`,
        consentGiven: true,
        ...overrides,
      });
      if (res.statusCode !== 201) throw new Error(`create visitor: ${res.statusCode} ${res.body}`);
      return res.json();
    },
  };
}

/** A multipart/form-data body built by hand (RFC 7578), so tests control every byte. */
export function multipartBody(parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>): { payload: Buffer; headers: Headers } {
  const boundary = `----epnbox-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    const head = `--${boundary}\r\ncontent-disposition: ${disposition}\r\n${p.type === undefined ? '' : `content-type: ${p.type}\r\n`}\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
