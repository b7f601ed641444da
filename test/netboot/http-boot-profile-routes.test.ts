import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createBootApp, type BootApp } from './http-boot-support/boot-app.ts';

let h: BootApp;
let admin: { authorization: string };
beforeEach(async () => {
  h = await createBootApp();
  admin = await h.bearer('admin');
  await h.image('debian-kiosk', '1.0');
  await h.image('debian-kiosk', '1.1');
});
afterEach(async () => {
  await h.close();
});

const call = (opts: InjectOptions) => h.app.inject({ headers: admin, ...opts });
const iso = () => new Date(h.clock.now()).toISOString();
const newProfile = async (name = 'Kiosque', version = '1.0') => {
  const res = await call({ method: 'POST', url: '/api/boot/profiles', payload: { name, imageName: 'debian-kiosk', imageVersion: version } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number };
};

describe('boot profile routes', () => {
  it('POST /api/boot/profiles creates a profile and answers every field', async () => {
    const res = await call({ method: 'POST', url: '/api/boot/profiles', payload: { name: 'Kiosque', description: 'Salle publique', imageName: 'debian-kiosk', imageVersion: '1.0', kernelArgs: 'boot=live components quiet locales=fr_FR.UTF-8' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(Number),
      name: 'Kiosque',
      description: 'Salle publique',
      imageName: 'debian-kiosk',
      imageVersion: '1.0',
      previousVersion: null,
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      squashfs: 'filesystem.squashfs',
      kernelArgs: 'boot=live components quiet locales=fr_FR.UTF-8',
      isDefault: false,
      stationCount: 0,
      groupCount: 0,
      createdAt: iso(),
      updatedAt: iso(),
    });
  });

  it('refuses bad input (400 naming the field), an unknown image (404) and a taken name (409)', async () => {
    const bad = await call({ method: 'POST', url: '/api/boot/profiles', payload: { name: 'K', imageName: '../etc', imageVersion: '1.0' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body.imageName' }] });
    const args = await call({ method: 'POST', url: '/api/boot/profiles', payload: { name: 'K', imageName: 'debian-kiosk', imageVersion: '1.0', kernelArgs: 'quiet ${x}' } });
    expect(args.json()).toMatchObject({ status: 400, code: 'BOOT_KERNEL_ARGS_INVALID', errors: [{ field: 'kernelArgs' }] });
    expect((await call({ method: 'POST', url: '/api/boot/profiles', payload: { name: 'K', imageName: 'debian-kiosk', imageVersion: '9.9' } })).json()).toMatchObject({ status: 404, code: 'BOOT_IMAGE_NOT_FOUND' });
    await newProfile();
    expect((await call({ method: 'POST', url: '/api/boot/profiles', payload: { name: 'kiosque', imageName: 'debian-kiosk', imageVersion: '1.0' } })).json()).toMatchObject({ status: 409, code: 'BOOT_PROFILE_NAME_TAKEN' });
  });

  it('GET, PATCH and DELETE one profile, with 404 and 409 (in use)', async () => {
    const { id } = await newProfile();
    expect((await call({ method: 'GET', url: `/api/boot/profiles/${id}` })).json()).toMatchObject({ id, name: 'Kiosque' });
    expect((await call({ method: 'GET', url: '/api/boot/profiles/999' })).json()).toMatchObject({ status: 404, code: 'BOOT_PROFILE_NOT_FOUND' });
    expect((await call({ method: 'PATCH', url: `/api/boot/profiles/${id}`, payload: { kernelArgs: 'boot=live toram' } })).json()).toMatchObject({ kernelArgs: 'boot=live toram' });
    expect((await call({ method: 'PATCH', url: `/api/boot/profiles/${id}`, payload: {} })).statusCode).toBe(400);
    await call({ method: 'PUT', url: '/api/boot/default-profile', payload: { profileId: id } });
    expect((await call({ method: 'DELETE', url: `/api/boot/profiles/${id}` })).json()).toMatchObject({ status: 409, code: 'BOOT_PROFILE_IN_USE' });
    await call({ method: 'PUT', url: '/api/boot/default-profile', payload: { profileId: null } });
    expect((await call({ method: 'DELETE', url: `/api/boot/profiles/${id}` })).statusCode).toBe(204);
  });

  it('lists profiles paged and sorted', async () => {
    await newProfile('Bravo');
    await newProfile('alpha');
    const res = await call({ method: 'GET', url: '/api/boot/profiles?sort=name&order=asc&pageSize=1&page=2' });
    expect(res.json()).toMatchObject({ total: 2, page: 2, pageSize: 1, items: [{ name: 'Bravo' }] });
    expect((await call({ method: 'GET', url: '/api/boot/profiles?pageSize=500' })).json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'querystring.pageSize' }] });
  });

  it('switches the version atomically and rolls back in one call; 409 without a previous version or for the same version', async () => {
    const { id } = await newProfile();
    expect((await call({ method: 'POST', url: `/api/boot/profiles/${id}/rollback` })).json()).toMatchObject({ status: 409, code: 'BOOT_NO_PREVIOUS_VERSION' });
    expect((await call({ method: 'POST', url: `/api/boot/profiles/${id}/switch`, payload: { version: '1.0' } })).json()).toMatchObject({ status: 409, code: 'BOOT_SAME_VERSION' });
    expect((await call({ method: 'POST', url: `/api/boot/profiles/${id}/switch`, payload: { version: '../x' } })).statusCode).toBe(400);
    expect((await call({ method: 'POST', url: `/api/boot/profiles/${id}/switch`, payload: { version: '1.1' } })).json()).toMatchObject({ imageVersion: '1.1', previousVersion: '1.0' });
    expect((await call({ method: 'POST', url: `/api/boot/profiles/${id}/rollback` })).json()).toMatchObject({ imageVersion: '1.0', previousVersion: '1.1' });
    expect((await call({ method: 'POST', url: '/api/boot/profiles/999/rollback' })).statusCode).toBe(404);
  });

  it('GET/PUT /api/boot/default-profile', async () => {
    expect((await call({ method: 'GET', url: '/api/boot/default-profile' })).json()).toEqual({ profile: null });
    const { id } = await newProfile();
    expect((await call({ method: 'PUT', url: '/api/boot/default-profile', payload: { profileId: id } })).json()).toMatchObject({ profile: { id, isDefault: true } });
    expect((await call({ method: 'GET', url: '/api/boot/default-profile' })).json()).toMatchObject({ profile: { id } });
    expect((await call({ method: 'PUT', url: '/api/boot/default-profile', payload: { profileId: 999 } })).statusCode).toBe(404);
    expect((await call({ method: 'PUT', url: '/api/boot/default-profile', payload: {} })).statusCode).toBe(400);
  });
});

describe('group and station routes', () => {
  it('CRUD on groups, and a station following its group, then its own profile', async () => {
    const p1 = await newProfile('Salle');
    const p2 = await newProfile('Atelier', '1.1');
    const created = await call({ method: 'POST', url: '/api/boot/groups', payload: { name: 'Salle 1', profileId: p1.id } });
    expect(created.statusCode).toBe(201);
    const group = created.json();
    expect(group).toEqual({ id: expect.any(Number), name: 'Salle 1', description: null, profileId: p1.id, profileName: 'Salle', stationCount: 0, createdAt: iso(), updatedAt: iso() });
    expect((await call({ method: 'POST', url: '/api/boot/groups', payload: { name: 'salle 1', profileId: p1.id } })).statusCode).toBe(409);
    expect((await call({ method: 'POST', url: '/api/boot/groups', payload: { name: 'Salle 2', profileId: 999 } })).statusCode).toBe(404);
    expect((await call({ method: 'POST', url: '/api/boot/groups', payload: { name: 'Salle 2' } })).json()).toMatchObject({ errors: [{ field: 'body.profileId' }] });
    const station = await createStation(h.ctx, operatorActor(1), { name: 'Poste 1', mac: '52:54:00:00:00:01' });
    expect((await call({ method: 'PATCH', url: `/api/boot/stations/${station.id}`, payload: { groupId: group.id } })).json()).toMatchObject({ groupName: 'Salle 1', resolved: { source: 'group', profileName: 'Salle' } });
    expect((await call({ method: 'GET', url: `/api/boot/groups/${group.id}` })).json()).toMatchObject({ stationCount: 1 });
    expect((await call({ method: 'GET', url: '/api/boot/groups' })).json()).toMatchObject({ total: 1, items: [{ name: 'Salle 1' }] });
    expect((await call({ method: 'PATCH', url: `/api/boot/stations/${station.id}`, payload: { profileId: p2.id } })).json()).toEqual({
      stationId: station.id,
      stationName: 'Poste 1',
      mac: '52:54:00:00:00:01',
      profileId: p2.id,
      profileName: 'Atelier',
      groupId: group.id,
      groupName: 'Salle 1',
      resolved: { profileId: p2.id, profileName: 'Atelier', source: 'station', imageName: 'debian-kiosk', imageVersion: '1.1' },
    });
    expect((await call({ method: 'PATCH', url: `/api/boot/groups/${group.id}`, payload: { name: 'Salle A' } })).json()).toMatchObject({ name: 'Salle A' });
    expect((await call({ method: 'DELETE', url: `/api/boot/groups/${group.id}` })).statusCode).toBe(204);
    expect((await call({ method: 'GET', url: `/api/boot/stations/${station.id}` })).json()).toMatchObject({ groupId: null, resolved: { source: 'station' } });
    expect((await call({ method: 'GET', url: `/api/boot/groups/${group.id}` })).statusCode).toBe(404);
    expect((await call({ method: 'GET', url: '/api/boot/stations/999' })).json()).toMatchObject({ code: 'STATION_NOT_FOUND' });
    expect((await call({ method: 'PATCH', url: `/api/boot/stations/${station.id}`, payload: {} })).statusCode).toBe(400);
  });
});

describe('catalogue routes', () => {
  it('lists, shows, seals, verifies and deletes image versions; 404, 409 when in use or already sealed', async () => {
    await h.image('debian-kiosk', '2.0', { seal: false });
    const list = await call({ method: 'GET', url: '/api/boot/images' });
    expect(list.json()).toMatchObject({ total: 3, items: [{ version: '1.0', state: 'sealed' }, { version: '1.1' }, { version: '2.0', state: 'unsealed', sealedAt: null, files: [] }] });
    const sealed = await call({ method: 'POST', url: '/api/boot/images/debian-kiosk/2.0/seal' });
    expect(sealed.statusCode).toBe(201);
    expect(sealed.json()).toMatchObject({ state: 'sealed', sealedAt: iso(), usedBy: [], invalidReason: null });
    expect(sealed.json().files).toHaveLength(3);
    expect((await call({ method: 'POST', url: '/api/boot/images/debian-kiosk/2.0/seal' })).json()).toMatchObject({ status: 409, code: 'BOOT_IMAGE_ALREADY_SEALED' });
    expect((await call({ method: 'POST', url: '/api/boot/images/debian-kiosk/2.0/verify' })).json()).toMatchObject({ ok: true, unlisted: [], files: [{ status: 'ok' }, { status: 'ok' }, { status: 'ok' }] });
    await newProfile('Kiosque', '1.0');
    expect((await call({ method: 'GET', url: '/api/boot/images/debian-kiosk/1.0' })).json()).toMatchObject({ usedBy: [{ profileName: 'Kiosque', as: 'current' }] });
    expect((await call({ method: 'DELETE', url: '/api/boot/images/debian-kiosk/1.0' })).json()).toMatchObject({ status: 409, code: 'BOOT_IMAGE_IN_USE' });
    expect((await call({ method: 'DELETE', url: '/api/boot/images/debian-kiosk/2.0' })).statusCode).toBe(204);
    expect((await call({ method: 'GET', url: '/api/boot/images/debian-kiosk/2.0' })).statusCode).toBe(404);
    expect((await call({ method: 'GET', url: '/api/boot/images/Debian/1.0' })).json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'params.name' }] });
  });
});

describe('access and failures', () => {
  const routes: Array<[string, string, object?]> = [
    ['GET', '/api/boot/profiles'],
    ['POST', '/api/boot/profiles', { name: 'x', imageName: 'debian-kiosk', imageVersion: '1.0' }],
    ['GET', '/api/boot/profiles/1'],
    ['PATCH', '/api/boot/profiles/1', { name: 'y' }],
    ['DELETE', '/api/boot/profiles/1'],
    ['POST', '/api/boot/profiles/1/switch', { version: '1.1' }],
    ['POST', '/api/boot/profiles/1/rollback'],
    ['GET', '/api/boot/default-profile'],
    ['PUT', '/api/boot/default-profile', { profileId: null }],
    ['GET', '/api/boot/groups'],
    ['POST', '/api/boot/groups', { name: 'g', profileId: 1 }],
    ['GET', '/api/boot/groups/1'],
    ['PATCH', '/api/boot/groups/1', { name: 'g' }],
    ['DELETE', '/api/boot/groups/1'],
    ['GET', '/api/boot/stations/1'],
    ['PATCH', '/api/boot/stations/1', { profileId: null }],
    ['GET', '/api/boot/images'],
    ['GET', '/api/boot/images/debian-kiosk/1.0'],
    ['POST', '/api/boot/images/debian-kiosk/1.0/seal'],
    ['POST', '/api/boot/images/debian-kiosk/1.0/verify'],
    ['DELETE', '/api/boot/images/debian-kiosk/1.0'],
  ];

  it('every boot admin route answers 401 to anonymous callers and 403 to operators and stations', async () => {
    const marie = await h.bearer('marie');
    const station = await createStation(h.ctx, operatorActor(1), { name: 'Poste 1', mac: '52:54:00:00:00:01' });
    const { issueStationToken } = await import('../../api/auth/auth-service.ts');
    const stationAuth = { authorization: `Bearer ${await issueStationToken(h.ctx, station.id)}` };
    for (const [method, url, payload] of routes) {
      const as = (headers: Record<string, string>) => h.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
      expect((await as({})).statusCode, `${method} ${url} anonymous`).toBe(401);
      expect((await as(marie)).statusCode, `${method} ${url} operator`).toBe(403);
      expect((await as(stationAuth)).statusCode, `${method} ${url} station`).toBe(403);
    }
    const declared = h.app.declaredRoutes.filter((r) => r.url.startsWith('/api/boot/'));
    expect(declared.map((r) => `${r.method} ${r.url} ${r.access}`).sort()).toHaveLength(routes.length);
    expect(new Set(declared.map((r) => r.access))).toEqual(new Set(['admin']));
    expect(h.app.declaredRoutes.filter((r) => r.url.startsWith('/boot/') || r.url === '/api/stations/enroll').map((r) => `${r.method} ${r.url} ${r.access}`).sort()).toEqual([
      'GET /boot/images/:name/:version/:file public',
      'GET /boot/ipxe public',
      'POST /api/stations/enroll public',
    ]);
  });

  it('answers 503 with nothing written when the database fails', async () => {
    await h.close();
    h = await createBootApp({ wrapDb: (db) => failingWhen(db, insertInto('boot_profiles')) });
    admin = await h.bearer('admin');
    await h.image('debian-kiosk', '1.0');
    const res = await call({ method: 'POST', url: '/api/boot/profiles', payload: { name: 'K', imageName: 'debian-kiosk', imageVersion: '1.0' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'STORAGE_FAILURE' });
    expect((await call({ method: 'GET', url: '/api/boot/profiles' })).json()).toMatchObject({ total: 0 });
  });
});
