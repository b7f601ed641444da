import { Type } from '@sinclair/typebox';
import type { BootGroupView, BootProfileView, ImageCheckView, ImageVersionView, StationBootView } from './boot-admin.ts';
import { PageQuery, SortOrder, epochToIso, pageOf } from './common.ts';

/** Wire schemas of boot administration (profiles, groups, station choices, image catalogue). */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Iso = () => Type.String({ format: 'date-time' });

const ImageName = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'Image name: lower case, digits, . _ -' });
const ImageVersion = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$', description: 'Version folder, e.g. 2026.03.1' });
const FileName = Type.String({ maxLength: 128, description: 'A file of the version folder (one path segment).' });
const Name = Type.String({ minLength: 1, maxLength: 64 });
const Description = Nullable(Type.String({ maxLength: 500 }));
const KernelArgs = Type.String({ maxLength: 2048, description: 'Kernel arguments; initrd=, fetch= and epnbox.* are added by the box.' });

export const ProfileSource = Type.Union([Type.Literal('station'), Type.Literal('group'), Type.Literal('default')], {
  description: 'Where the profile comes from, most specific first.',
});

export const BootProfile = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  imageName: Type.String(),
  imageVersion: Type.String(),
  previousVersion: Nullable(Type.String({ description: 'What a rollback returns to.' })),
  kernel: Type.String(),
  initrd: Type.String(),
  squashfs: Type.String(),
  kernelArgs: Type.String(),
  isDefault: Type.Boolean(),
  stationCount: Type.Integer({ description: 'Stations naming this profile explicitly.' }),
  groupCount: Type.Integer(),
  createdAt: Iso(),
  updatedAt: Iso(),
});
export const BootProfilePage = pageOf(BootProfile);
export const DefaultProfile = Type.Object({ profile: Nullable(BootProfile) });

export const BootListQuery = Type.Object(
  {
    sort: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('createdAt'), Type.Literal('updatedAt')])),
    order: Type.Optional(SortOrder),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);

export const NewBootProfileBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    imageName: ImageName,
    imageVersion: ImageVersion,
    kernel: Type.Optional(FileName),
    initrd: Type.Optional(FileName),
    squashfs: Type.Optional(FileName),
    kernelArgs: Type.Optional(KernelArgs),
  },
  { additionalProperties: false },
);

export const BootProfilePatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    kernel: Type.Optional(FileName),
    initrd: Type.Optional(FileName),
    squashfs: Type.Optional(FileName),
    kernelArgs: Type.Optional(KernelArgs),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const SwitchVersionBody = Type.Object({ version: ImageVersion }, { additionalProperties: false });
export const DefaultProfileBody = Type.Object({ profileId: Nullable(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });

export const BootGroup = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  profileId: Type.Integer(),
  profileName: Type.String(),
  stationCount: Type.Integer(),
  createdAt: Iso(),
  updatedAt: Iso(),
});
export const BootGroupPage = pageOf(BootGroup);
export const NewBootGroupBody = Type.Object({ name: Name, description: Type.Optional(Description), profileId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export const BootGroupPatchBody = Type.Object(
  { name: Type.Optional(Name), description: Type.Optional(Description), profileId: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false, minProperties: 1 },
);

export const StationBoot = Type.Object({
  stationId: Type.Integer(),
  stationName: Type.String(),
  mac: Type.String(),
  profileId: Nullable(Type.Integer()),
  profileName: Nullable(Type.String()),
  groupId: Nullable(Type.Integer()),
  groupName: Nullable(Type.String()),
  resolved: Nullable(
    Type.Object({ profileId: Type.Integer(), profileName: Type.String(), source: ProfileSource, imageName: Type.String(), imageVersion: Type.String() }, { description: 'What the station boots now; null: it waits at boot.' }),
  ),
});
export const StationBootBody = Type.Object(
  { profileId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))), groupId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))) },
  { additionalProperties: false, minProperties: 1 },
);

export const ImageParams = Type.Object({ name: ImageName, version: ImageVersion });

export const ImageVersionSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  state: Type.Union([Type.Literal('sealed'), Type.Literal('unsealed'), Type.Literal('invalid')], { description: 'unsealed: no manifest yet (not served); invalid: unreadable manifest.' }),
  invalidReason: Nullable(Type.String()),
  sealedAt: Nullable(Iso()),
  totalBytes: Type.Integer(),
  files: Type.Array(Type.Object({ name: Type.String(), size: Type.Integer(), sha256: Type.String() })),
  usedBy: Type.Array(Type.Object({ profileId: Type.Integer(), profileName: Type.String(), as: Type.Union([Type.Literal('current'), Type.Literal('previous')]) })),
});
export const ImageVersionPage = pageOf(ImageVersionSchema);

export const ImageCheck = Type.Object({
  name: Type.String(),
  version: Type.String(),
  ok: Type.Boolean(),
  files: Type.Array(
    Type.Object({
      name: Type.String(),
      expectedSize: Type.Integer(),
      expectedSha256: Type.String(),
      size: Nullable(Type.Integer()),
      sha256: Nullable(Type.String()),
      status: Type.Union([Type.Literal('ok'), Type.Literal('missing'), Type.Literal('size_mismatch'), Type.Literal('hash_mismatch')]),
    }),
  ),
  unlisted: Type.Array(Type.String(), { description: 'Files in the folder that the manifest does not list (never served).' }),
});

export function bootProfileToWire(view: BootProfileView) {
  return { ...view, createdAt: epochToIso(view.createdAt)!, updatedAt: epochToIso(view.updatedAt)! };
}

export function bootGroupToWire(view: BootGroupView) {
  return { ...view, createdAt: epochToIso(view.createdAt)!, updatedAt: epochToIso(view.updatedAt)! };
}

export function imageVersionToWire(view: ImageVersionView) {
  return { ...view, sealedAt: epochToIso(view.sealedAt) };
}

export const stationBootToWire = (view: StationBootView) => view;
export const imageCheckToWire = (view: ImageCheckView) => view;
