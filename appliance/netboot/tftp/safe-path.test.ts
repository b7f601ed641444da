import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkName, resolveInRoot } from './safe-path.ts';

const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'tftp-safe-path-')));
const root = path.join(base, 'root');
mkdirSync(path.join(root, 'boot'), { recursive: true });
writeFileSync(path.join(root, 'boot', 'ipxe.efi'), 'x');
writeFileSync(path.join(base, 'secret'), 's');
symlinkSync('../secret', path.join(root, 'escape'));
symlinkSync(base, path.join(root, 'outdir'));
symlinkSync('boot/ipxe.efi', path.join(root, 'inside'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveInRoot', () => {
  it('serves names below the root, through symlinks that stay inside', async () => {
    expect(await resolveInRoot(root, 'boot/ipxe.efi')).toEqual({ ok: true, path: path.join(root, 'boot', 'ipxe.efi') });
    expect(await resolveInRoot(root, './boot//ipxe.efi')).toEqual({ ok: true, path: path.join(root, 'boot', 'ipxe.efi') });
    expect(await resolveInRoot(root, 'inside')).toEqual({ ok: true, path: path.join(root, 'boot', 'ipxe.efi') });
  });

  it('refuses .., absolute names and NUL before any lookup', async () => {
    for (const name of ['../secret', 'boot/../../secret', 'boot/../ipxe.efi', '..', '/etc/passwd', `${root}/boot/ipxe.efi`, 'boot\0x']) {
      const result = await resolveInRoot(root, name);
      expect(result.ok ? 'served' : result.reason, name).toBe('outside-root');
    }
  });

  it('refuses symlinks that resolve outside the root (file or directory)', async () => {
    expect(await resolveInRoot(root, 'escape')).toMatchObject({ ok: false, reason: 'outside-root' });
    expect(await resolveInRoot(root, 'outdir/secret')).toMatchObject({ ok: false, reason: 'outside-root' });
  });

  it('says not-found for missing names and never serves the root itself', async () => {
    expect(await resolveInRoot(root, 'missing.efi')).toEqual({ ok: false, reason: 'not-found' });
    expect(await resolveInRoot(root, '.')).toMatchObject({ ok: false, reason: 'outside-root' });
  });

  it('treats a backslash as an ordinary character', () => {
    expect(checkName('..\\secret')).toBeUndefined();
    expect(checkName('a/..')).toBe('parent directory segment');
  });
});

describe('symlinkTargets', () => {
  it('lets links point into an allowed directory, and nowhere else', async () => {
    const allowed = path.join(base, 'boot-dir');
    mkdirSync(allowed, { recursive: true });
    writeFileSync(path.join(allowed, 'ipxe.efi'), 'efi');
    symlinkSync(path.join(allowed, 'ipxe.efi'), path.join(root, 'linked.efi'));
    expect(await resolveInRoot(root, 'linked.efi')).toMatchObject({ ok: false, reason: 'outside-root' });
    expect(await resolveInRoot(root, 'linked.efi', [allowed])).toEqual({ ok: true, path: path.join(allowed, 'ipxe.efi') });
    expect(await resolveInRoot(root, 'escape', [allowed])).toMatchObject({ ok: false, reason: 'outside-root' });
    expect(await resolveInRoot(root, '../boot-dir/ipxe.efi', [allowed])).toMatchObject({ ok: false, reason: 'outside-root' });
  });
});
