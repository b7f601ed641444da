import { DomainError } from '../../api/shared/errors.ts';
import { bootErrors } from './boot-errors.ts';

export const DEFAULT_KERNEL_ARGS = 'boot=live components quiet';
export const DEFAULT_FILES = { kernel: 'vmlinuz', initrd: 'initrd.img', squashfs: 'filesystem.squashfs' } as const;

/**
 * x86 kernels take 2048 bytes of command line (COMMAND_LINE_SIZE); the
 * renderer adds initrd=, fetch=<url>, epnbox.server=<url> and the nonce, so
 * the profile's own part keeps well under that.
 */
export const MAX_KERNEL_ARGS = 1024;

/** One kernel argument: no spaces, quotes, `$` (iPXE expansion), `#`, `|`, `&` or `;` (iPXE syntax). */
const KERNEL_ARG = /^[A-Za-z0-9._:/=,+@%~-]+$/;
/** Set by the boot chain itself; an admin's copy would shadow or duplicate them. */
const RESERVED = [/^initrd=/, /^fetch=/, /^epnbox\./, /^BOOT_IMAGE=/];

function nameError(what: 'profile' | 'group', value: string): DomainError {
  const fr = `Nom de ${what === 'profile' ? 'profil' : 'groupe'} : 1 à 64 caractères`;
  const en = `${what === 'profile' ? 'Profile' : 'Group'} name: 1 to 64 characters`;
  return new DomainError(`BOOT_${what.toUpperCase()}_NAME_INVALID`, 'invalid', { fr: `${fr}.`, en: `${en}.` }, { fields: [{ field: 'name', fr, en }], details: { value } });
}

export function normaliseBootName(what: 'profile' | 'group', value: string): string {
  const name = String(value).replace(/\s+/g, ' ').trim();
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (name.length < 1 || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) throw nameError(what, value);
  return name;
}

export function normaliseDescription(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (text.length > 500) {
    throw new DomainError('BOOT_DESCRIPTION_TOO_LONG', 'invalid', { fr: 'Description : 500 caractères au plus.', en: 'Description: at most 500 characters.' }, {
      fields: [{ field: 'description', fr: '500 caractères au plus', en: 'at most 500 characters' }],
    });
  }
  return text === '' ? null : text;
}

/** Kernel arguments as one space-separated line, or BOOT_KERNEL_ARGS_INVALID naming the first bad argument. */
export function normaliseKernelArgs(value: string): string {
  const args = String(value).split(/\s+/).filter((a) => a.length > 0);
  const line = args.join(' ');
  if (line.length > MAX_KERNEL_ARGS) {
    throw bootErrors.kernelArgsInvalid({ fr: `${MAX_KERNEL_ARGS} caractères au plus`, en: `at most ${MAX_KERNEL_ARGS} characters` }, line);
  }
  const bad = args.find((a) => !KERNEL_ARG.test(a));
  if (bad !== undefined) {
    throw bootErrors.kernelArgsInvalid(
      { fr: `« ${bad} » contient un caractère interdit (guillemets, $, #, |, &, ; ou non ASCII)`, en: `"${bad}" holds a forbidden character (quotes, $, #, |, &, ; or non-ASCII)` },
      line,
    );
  }
  const reserved = args.find((a) => RESERVED.some((r) => r.test(a)));
  if (reserved !== undefined) {
    throw bootErrors.kernelArgsInvalid(
      { fr: `« ${reserved} » est ajouté par epnbox lui-même (initrd=, fetch=, epnbox.*)`, en: `"${reserved}" is added by epnbox itself (initrd=, fetch=, epnbox.*)` },
      line,
    );
  }
  return line;
}
