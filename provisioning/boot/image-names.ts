import { DomainError } from '../../api/shared/errors.ts';

/**
 * Names that become path segments under the image catalogue. Each is one
 * segment (no `/`, no `\`), starts with a letter or digit (so never `.` or
 * `..`, never a hidden file), and is short: the HTTP boot route and the admin
 * API check them before any path is built, which is what keeps requests inside
 * the catalogue.
 */
const IMAGE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const IMAGE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export const MANIFEST_FILE = 'manifest.json';

export function isImageName(value: string): boolean {
  return IMAGE_NAME.test(value);
}

export function isImageVersion(value: string): boolean {
  return IMAGE_VERSION.test(value);
}

export function isImageFileName(value: string): boolean {
  return FILE_NAME.test(value);
}

function refused(field: string, value: string, fr: string, en: string): DomainError {
  return new DomainError('BOOT_NAME_INVALID', 'invalid', { fr: `${fr} « ${value} » refusé.`, en: `${en} "${value}" refused.` }, {
    fields: [{ field, fr, en }],
    details: { field, value },
  });
}

export function checkImageName(value: string, field = 'imageName'): string {
  if (!isImageName(value)) throw refused(field, value, "Nom d'image (minuscules, chiffres, . _ -, 64 caractères au plus)", 'Image name (lower case, digits, . _ -, at most 64 characters)');
  return value;
}

export function checkImageVersion(value: string, field = 'version'): string {
  if (!isImageVersion(value)) throw refused(field, value, "Version d'image (lettres, chiffres, . _ + ~ -, 64 caractères au plus)", 'Image version (letters, digits, . _ + ~ -, at most 64 characters)');
  return value;
}

export function checkImageFileName(value: string, field = 'file'): string {
  if (!isImageFileName(value) || value === MANIFEST_FILE) {
    throw refused(field, value, 'Nom de fichier (lettres, chiffres, . _ + -, sans chemin)', 'File name (letters, digits, . _ + -, no path)');
  }
  return value;
}
