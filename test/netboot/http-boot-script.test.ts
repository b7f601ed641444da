import { afterEach, describe, expect, it, vi } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { setSetting } from '../../api/settings/settings-service.ts';
import { settingsDefaultsFrom } from '../../api/settings/settings-policy.ts';
import { approveStation } from '../../api/stations/station-state-service.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { createBootApp, type BootApp } from './http-boot-support/boot-app.ts';

let h: BootApp | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const admin = operatorActor(1);
const MAC = '52:54:00:12:ab:cd';

async function withDefaultProfile(app: BootApp): Promise<void> {
  await app.image('debian-kiosk', '2026.03.1');
  const auth = await app.bearer('admin');
  const created = await app.app.inject({ method: 'POST', url: '/api/boot/profiles', headers: auth, payload: { name: 'Kiosque', imageName: 'debian-kiosk', imageVersion: '2026.03.1' } });
  expect(created.statusCode).toBe(201);
  const put = await app.app.inject({ method: 'PUT', url: '/api/boot/default-profile', headers: auth, payload: { profileId: created.json().id } });
  expect(put.statusCode).toBe(200);
}

const script = (app: BootApp, query: string, headers: Record<string, string> = {}, remoteAddress = '10.0.0.21') =>
  app.app.inject({ method: 'GET', url: `/boot/ipxe?${query}`, headers: { host: '10.0.0.1:8080', ...headers }, remoteAddress });

describe('GET /boot/ipxe', () => {
  it('is absent while netboot is off (the admin API stays)', async () => {
    h = await createBootApp({ config: { netboot: { enabled: false } } });
    expect((await script(h, `mac=${MAC}`)).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/boot/images/a/1/vmlinuz' })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/boot/profiles', headers: await h.bearer('admin') })).statusCode).toBe(200);
  });

  it('registers an unknown MAC as pending and answers a script that says so, never cached; public even with a bad token', async () => {
    h = await createBootApp();
    const res = await script(h, 'mac=52-54-00-12-AB-CD&arch=bios', { authorization: 'Bearer nonsense' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=us-ascii');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.startsWith('#!ipxe\n')).toBe(true);
    expect(res.body).toContain("echo Poste en attente d'approbation : poste-12abcd (52:54:00:12:ab:cd)");
    expect(res.body).toContain('chain --replace --autofree http://10.0.0.1:8080/boot/ipxe?mac=52:54:00:12:ab:cd&arch=bios || goto epnbox-wait');
    const rows = await h.db.selectFrom('stations').select(['mac', 'state', 'ip']).execute();
    expect(rows).toEqual([{ mac: MAC, state: 'pending', ip: '10.0.0.21' }]);
    const audit = await h.db.selectFrom('audit_events').select(['action', 'metadata']).where('action', '=', 'station.enrolled').execute();
    expect(audit.map((a) => JSON.parse(a.metadata))).toEqual([{ name: 'poste-12abcd', mac: MAC, ip: '10.0.0.21', state: 'pending', autoApproved: false }]);
  });

  it('boots an auto-approved station at once (config), and the runtime setting overrides the config', async () => {
    h = await createBootApp({ config: { stations: { autoApprove: true } } });
    await withDefaultProfile(h);
    const res = await script(h, `mac=${MAC}&arch=efi64`);
    expect(res.body).toContain('kernel http://10.0.0.1:8080/boot/images/debian-kiosk/2026.03.1/vmlinuz initrd=initrd.img boot=live components quiet fetch=http://10.0.0.1:8080/boot/images/debian-kiosk/2026.03.1/filesystem.squashfs epnbox.server=http://10.0.0.1:8080 epnbox.enroll=en_');
    expect(res.body).toContain('initrd --name initrd.img http://10.0.0.1:8080/boot/images/debian-kiosk/2026.03.1/initrd.img || goto epnbox-wait');
    await setSetting(h.ctx, admin, 'stations.autoApprove', false, settingsDefaultsFrom(h.ctx.policy));
    // The app applies a committed settings change to ctx.policy (api/settings/live-policy.ts).
    const app = h;
    await vi.waitFor(() => expect(app.ctx.policy.autoApprove).toBe(false), { timeout: 5000, interval: 10 });
    const other = await script(h, 'mac=52:54:00:00:00:02&arch=efi64');
    expect(other.body).toContain("Poste en attente d'approbation");
  });

  it('boots a known station once approved; the nonce in its script enrolls it and the token works', async () => {
    h = await createBootApp();
    await withDefaultProfile(h);
    await script(h, `mac=${MAC}&arch=efi64`);
    const station = await h.db.selectFrom('stations').select('id').executeTakeFirstOrThrow();
    await approveStation(h.ctx, admin, station.id);
    const res = await script(h, `mac=${MAC}&arch=efi64`);
    const nonce = /epnbox\.enroll=(\S+)/.exec(res.body)![1]!;
    const enrolled = await h.app.inject({ method: 'POST', url: '/api/stations/enroll', payload: { nonce, mac: MAC }, remoteAddress: '10.0.0.21' });
    expect(enrolled.statusCode).toBe(200);
    const beat = await h.app.inject({ method: 'POST', url: `/api/stations/${station.id}/heartbeat`, headers: { authorization: `Bearer ${enrolled.json().token}` }, payload: {} });
    expect(beat.statusCode).toBe(200);
  });

  it('uses netboot.httpBaseUrl when set, and ignores a Host header that is not a plain host', async () => {
    h = await createBootApp({ config: { netboot: { httpBaseUrl: 'http://boot.epn.local:8080/' } } });
    expect((await script(h, `mac=${MAC}`)).body).toContain('chain --replace --autofree http://boot.epn.local:8080/boot/ipxe?mac=');
    await h.close();
    h = await createBootApp();
    const res = await script(h, `mac=${MAC}`, { host: 'evil || shell' });
    expect(res.body).not.toContain('evil');
    expect(res.body).toMatch(/chain --replace --autofree http:\/\/[0-9.]+(:\d+)?\/boot\/ipxe\?mac=52:54:00:12:ab:cd&arch=unknown/);
  });

  it('refuses an unreadable MAC or arch with a 400 problem', async () => {
    h = await createBootApp();
    const badMac = await script(h, 'mac=zz:zz');
    expect(badMac.statusCode).toBe(400);
    expect(badMac.json()).toMatchObject({ code: 'STATION_MAC_INVALID', errors: [{ field: 'mac' }] });
    const missing = await script(h, 'arch=bios');
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'querystring.mac' }] });
    expect((await script(h, `mac=${MAC}&arch=efi64%20%26%26%20shell`)).statusCode).toBe(400);
    expect(await h.db.selectFrom('stations').select('id').execute()).toEqual([]);
  });

  it('limits requests per source address and minute (429 with Retry-After), without touching the database', async () => {
    h = await createBootApp({ config: { netboot: { scriptRequestsPerMinute: 3 } } });
    for (let i = 0; i < 3; i++) expect((await script(h, `mac=52:54:00:00:01:0${i}`)).statusCode).toBe(200);
    const refused = await script(h, 'mac=52:54:00:00:01:09');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.json()).toMatchObject({ code: 'BOOT_THROTTLED' });
    expect((await script(h, 'mac=52:54:00:00:01:09', {}, '10.0.0.22')).statusCode).toBe(200);
    expect(await h.db.selectFrom('stations').select('id').execute()).toHaveLength(4);
    h.clock.advance(60_000);
    expect((await script(h, 'mac=52:54:00:00:01:08')).statusCode).toBe(200);
  });

  it('caps new registrations per hour; the others wait on screen and are not registered', async () => {
    h = await createBootApp({ config: { netboot: { newStationsPerHour: 1 } } });
    await createStation(h.ctx, admin, { name: 'Connu', mac: '52:54:00:00:02:01' });
    expect((await script(h, 'mac=52:54:00:00:02:02')).body).toContain("Poste en attente d'approbation");
    const busy = await script(h, 'mac=52:54:00:00:02:03');
    expect(busy.statusCode).toBe(200);
    expect(busy.body).toContain('Trop de nouveaux postes en meme temps');
    expect((await script(h, 'mac=52:54:00:00:02:01')).body).toContain('Aucun profil de demarrage pour Connu');
    expect(await h.db.selectFrom('stations').select('mac').orderBy('id').execute()).toEqual([{ mac: '52:54:00:00:02:01' }, { mac: '52:54:00:00:02:02' }]);
  });
});
