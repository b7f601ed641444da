import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stageBootFiles } from './boot-files.ts';
import { memoryLogger } from './dhcp/testing/memory-logger.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'epnbox-bootfiles-'));
  dirs.push(dir);
  return dir;
}

describe('boot files staged for TFTP', () => {
  it("copies the configured files, following the source's symlinks (Debian's ipxe.efi -> /boot/ipxe.efi), and nothing else", async () => {
    const outside = temp();
    writeFileSync(join(outside, 'ipxe.efi'), 'full iPXE\n');
    const source = temp();
    writeFileSync(join(source, 'undionly.kpxe'), 'BIOS iPXE\n');
    writeFileSync(join(source, 'ipxe.iso'), 'not a boot file\n');
    symlinkSync(join(outside, 'ipxe.efi'), join(source, 'ipxe.efi'));
    mkdirSync(join(source, 'quirks'));
    writeFileSync(join(source, 'quirks', 'old.kpxe'), 'old\n');
    const stage = join(temp(), 'tftp');
    const logger = memoryLogger();
    const result = await stageBootFiles(source, ['undionly.kpxe', 'ipxe.efi', 'quirks/old.kpxe', 'ipxe.efi'], stage, logger);
    expect(result).toEqual({ dir: stage, staged: ['undionly.kpxe', 'ipxe.efi', 'quirks/old.kpxe'], missing: [] });
    expect(readdirSync(stage).sort()).toEqual(['ipxe.efi', 'quirks', 'undionly.kpxe']);
    expect(readFileSync(join(stage, 'ipxe.efi'), 'utf8')).toBe('full iPXE\n');
  });

  it('names missing files in a warning and removes files no longer configured', async () => {
    const source = temp();
    writeFileSync(join(source, 'undionly.kpxe'), 'BIOS iPXE\n');
    const stage = join(temp(), 'tftp');
    mkdirSync(stage);
    writeFileSync(join(stage, 'stale.efi'), 'from an earlier configuration\n');
    const logger = memoryLogger();
    const result = await stageBootFiles(source, ['undionly.kpxe', 'snponly.efi'], stage, logger);
    expect(result.missing).toEqual(['snponly.efi']);
    expect(readdirSync(stage)).toEqual(['undionly.kpxe']);
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields.file === 'snponly.efi')).toBe(true);
  });

  it.each(['../etc/passwd', '/etc/passwd', 'a/../../b', ''])('refuses the boot file name %j', async (name) => {
    await expect(stageBootFiles(temp(), [name], join(temp(), 'tftp'), memoryLogger())).rejects.toThrow(/must be a relative path without/);
  });
});
