import { DomainError, conflict } from '../../api/shared/errors.ts';

/** Errors of the boot subsystem: codes start with BOOT_, messages French then English. */
export const bootErrors = {
  profileNotFound: (id: unknown) =>
    new DomainError('BOOT_PROFILE_NOT_FOUND', 'not_found', { fr: `Profil de démarrage introuvable (${String(id)}).`, en: `Boot profile not found (${String(id)}).` }, { details: { id } }),
  groupNotFound: (id: unknown) =>
    new DomainError('BOOT_GROUP_NOT_FOUND', 'not_found', { fr: `Groupe de postes introuvable (${String(id)}).`, en: `Station group not found (${String(id)}).` }, { details: { id } }),
  imageNotFound: (name: string, version: string) =>
    new DomainError('BOOT_IMAGE_NOT_FOUND', 'not_found', { fr: `Image ${name} ${version} absente du catalogue.`, en: `Image ${name} ${version} is not in the catalogue.` }, { details: { name, version } }),
  fileNotFound: (file: string) =>
    new DomainError('BOOT_FILE_NOT_FOUND', 'not_found', { fr: `Fichier introuvable : ${file}.`, en: `File not found: ${file}.` }, { details: { file } }),
  nameTaken: (what: 'profile' | 'group', name: string) =>
    conflict(
      `BOOT_${what.toUpperCase()}_NAME_TAKEN`,
      `Le nom « ${name} » est déjà celui d'un autre ${what === 'profile' ? 'profil' : 'groupe'}.`,
      `The name "${name}" is already used by another ${what}.`,
      { name },
    ),
  notSealed: (name: string, version: string) =>
    conflict('BOOT_IMAGE_NOT_SEALED', `L'image ${name} ${version} n'a pas de manifeste : scellez-la d'abord.`, `Image ${name} ${version} has no manifest: seal it first.`, { name, version }),
  manifestInvalid: (name: string, version: string, reason: string) =>
    conflict('BOOT_IMAGE_MANIFEST_INVALID', `Le manifeste de ${name} ${version} est illisible (${reason}).`, `The manifest of ${name} ${version} is unreadable (${reason}).`, { name, version, reason }),
  alreadySealed: (name: string, version: string) =>
    conflict('BOOT_IMAGE_ALREADY_SEALED', `L'image ${name} ${version} est déjà scellée ; une version scellée ne change plus.`, `Image ${name} ${version} is already sealed; a sealed version never changes.`, { name, version }),
  emptyImage: (name: string, version: string) =>
    conflict('BOOT_IMAGE_EMPTY', `Le dossier de ${name} ${version} ne contient aucun fichier à sceller.`, `The folder of ${name} ${version} holds no file to seal.`, { name, version }),
  fileNotInImage: (name: string, version: string, missing: string[]) =>
    conflict(
      'BOOT_IMAGE_FILE_MISSING',
      `L'image ${name} ${version} ne contient pas : ${missing.join(', ')}.`,
      `Image ${name} ${version} does not contain: ${missing.join(', ')}.`,
      { name, version, missing },
    ),
  imageInUse: (name: string, version: string, profiles: string[]) =>
    conflict(
      'BOOT_IMAGE_IN_USE',
      `L'image ${name} ${version} sert encore aux profils : ${profiles.join(', ')}.`,
      `Image ${name} ${version} is still used by profiles: ${profiles.join(', ')}.`,
      { name, version, profiles },
    ),
  profileInUse: (id: number, usage: { isDefault: boolean; groups: number; stations: number }) =>
    conflict(
      'BOOT_PROFILE_IN_USE',
      `Ce profil sert encore (${usage.isDefault ? 'profil par défaut, ' : ''}${usage.groups} groupe(s), ${usage.stations} poste(s)) : réaffectez-les d'abord.`,
      `This profile is still in use (${usage.isDefault ? 'default profile, ' : ''}${usage.groups} group(s), ${usage.stations} station(s)): reassign them first.`,
      { id, ...usage },
    ),
  noPreviousVersion: (id: number) =>
    conflict('BOOT_NO_PREVIOUS_VERSION', "Ce profil n'a pas de version précédente vers laquelle revenir.", 'This profile has no previous version to roll back to.', { id }),
  sameVersion: (id: number, version: string) =>
    conflict('BOOT_SAME_VERSION', `Le profil utilise déjà la version ${version}.`, `The profile already uses version ${version}.`, { id, version }),
  kernelArgsInvalid: (reason: { fr: string; en: string }, value: string) =>
    new DomainError('BOOT_KERNEL_ARGS_INVALID', 'invalid', { fr: `Arguments du noyau refusés : ${reason.fr}.`, en: `Kernel arguments refused: ${reason.en}.` }, {
      fields: [{ field: 'kernelArgs', fr: reason.fr, en: reason.en }],
      details: { value: value.length > 80 ? `${value.slice(0, 77)}...` : value },
    }),
  imageChanged: (name: string, version: string, file: string) =>
    new DomainError(
      'BOOT_IMAGE_CHANGED',
      'unavailable',
      {
        fr: `Le fichier ${file} de ${name} ${version} ne correspond plus à son manifeste ; vérifiez l'image ou restaurez-la.`,
        en: `File ${file} of ${name} ${version} no longer matches its manifest; verify or restore the image.`,
      },
      { details: { name, version, file } },
    ),
  catalogueUnavailable: (cause: unknown) =>
    new DomainError(
      'BOOT_CATALOGUE_UNAVAILABLE',
      'unavailable',
      { fr: "Le catalogue d'images est illisible (droits ou disque) ; rien n'a été modifié.", en: 'The image catalogue cannot be read (permissions or disk); nothing was changed.' },
      { cause },
    ),
};
