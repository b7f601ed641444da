import type { Actor } from '../audit/audit-actions.ts';
import { DomainError } from '../shared/errors.ts';
import type { Page, PageRequest } from '../shared/pagination.ts';

/**
 * The boot administration the HTTP API calls. It is implemented in
 * provisioning/boot (createBootAdmin) and handed in by the appliance, because
 * api/ never imports provisioning/ (docs/architecture.md). Times are epoch ms;
 * the routes map them to ISO 8601 (api/contract/boot.ts).
 */

/** Where a station's profile comes from, most specific first (as matchbox). */
export type ProfileSource = 'station' | 'group' | 'default';

export interface BootProfileView {
  id: number;
  name: string;
  description: string | null;
  imageName: string;
  imageVersion: string;
  /** What a rollback returns to; null before the first switch. */
  previousVersion: string | null;
  kernel: string;
  initrd: string;
  squashfs: string;
  kernelArgs: string;
  isDefault: boolean;
  /** Stations that name this profile explicitly. */
  stationCount: number;
  groupCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface BootGroupView {
  id: number;
  name: string;
  description: string | null;
  profileId: number;
  profileName: string;
  stationCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface ResolvedProfileRef {
  profileId: number;
  profileName: string;
  source: ProfileSource;
  imageName: string;
  imageVersion: string;
}

export interface StationBootView {
  stationId: number;
  stationName: string;
  mac: string;
  /** Explicit profile, or null. */
  profileId: number | null;
  profileName: string | null;
  groupId: number | null;
  groupName: string | null;
  /** What the station boots now; null when no profile applies (it waits at boot). */
  resolved: ResolvedProfileRef | null;
}

export interface ImageFileView {
  name: string;
  size: number;
  sha256: string;
}

export interface ImageUseView {
  profileId: number;
  profileName: string;
  as: 'current' | 'previous';
}

export interface ImageVersionView {
  name: string;
  version: string;
  /** sealed: manifest present and valid; unsealed: no manifest yet; invalid: unreadable manifest. */
  state: 'sealed' | 'unsealed' | 'invalid';
  invalidReason: string | null;
  sealedAt: number | null;
  totalBytes: number;
  files: ImageFileView[];
  usedBy: ImageUseView[];
}

export interface ImageCheckView {
  name: string;
  version: string;
  ok: boolean;
  files: Array<{
    name: string;
    expectedSize: number;
    expectedSha256: string;
    size: number | null;
    sha256: string | null;
    status: 'ok' | 'missing' | 'size_mismatch' | 'hash_mismatch';
  }>;
  unlisted: string[];
}

export interface NewBootProfileInput {
  name: string;
  description?: string | null;
  imageName: string;
  imageVersion: string;
  /** File names inside the version folder; defaults vmlinuz, initrd.img, filesystem.squashfs. */
  kernel?: string;
  initrd?: string;
  squashfs?: string;
  /** Default `boot=live components quiet`. */
  kernelArgs?: string;
}

/** Absent fields are unchanged; the image version changes only through switch/rollback. */
export interface BootProfilePatch {
  name?: string;
  description?: string | null;
  kernel?: string;
  initrd?: string;
  squashfs?: string;
  kernelArgs?: string;
}

export interface NewBootGroupInput {
  name: string;
  description?: string | null;
  profileId: number;
}

export interface BootGroupPatch {
  name?: string;
  description?: string | null;
  profileId?: number;
}

/** Absent: unchanged; null: cleared (the station falls back to its group, then the default). */
export interface StationBootPatch {
  profileId?: number | null;
  groupId?: number | null;
}

export type BootListSort = 'name' | 'createdAt' | 'updatedAt';
export type BootListRequest = PageRequest & { sort?: BootListSort; order?: 'asc' | 'desc' };

export interface BootAdmin {
  listProfiles(request: BootListRequest): Promise<Page<BootProfileView>>;
  getProfile(id: number): Promise<BootProfileView>;
  createProfile(actor: Actor, input: NewBootProfileInput): Promise<BootProfileView>;
  updateProfile(actor: Actor, id: number, patch: BootProfilePatch): Promise<BootProfileView>;
  deleteProfile(actor: Actor, id: number): Promise<void>;
  /** Points the profile at another sealed version of its image, in one UPDATE; the old one is kept for rollback. */
  switchVersion(actor: Actor, id: number, version: string): Promise<BootProfileView>;
  rollback(actor: Actor, id: number): Promise<BootProfileView>;
  getDefault(): Promise<BootProfileView | null>;
  setDefault(actor: Actor, profileId: number | null): Promise<BootProfileView | null>;

  listGroups(request: BootListRequest): Promise<Page<BootGroupView>>;
  getGroup(id: number): Promise<BootGroupView>;
  createGroup(actor: Actor, input: NewBootGroupInput): Promise<BootGroupView>;
  updateGroup(actor: Actor, id: number, patch: BootGroupPatch): Promise<BootGroupView>;
  /** Members fall back to their explicit profile or the default. */
  deleteGroup(actor: Actor, id: number): Promise<void>;

  stationBoot(stationId: number): Promise<StationBootView>;
  setStationBoot(actor: Actor, stationId: number, patch: StationBootPatch): Promise<StationBootView>;

  listImages(request: PageRequest): Promise<Page<ImageVersionView>>;
  getImage(name: string, version: string): Promise<ImageVersionView>;
  sealImage(actor: Actor, name: string, version: string): Promise<ImageVersionView>;
  verifyImage(name: string, version: string): Promise<ImageCheckView>;
  deleteImage(actor: Actor, name: string, version: string): Promise<void>;
}

/** Stands in when the appliance did not hand a boot administration in: every call answers 503 BOOT_UNAVAILABLE. */
export const unavailableBootAdmin: BootAdmin = new Proxy({} as BootAdmin, {
  get: () => async () => {
    throw new DomainError('BOOT_UNAVAILABLE', 'unavailable', {
      fr: "L'administration du démarrage réseau n'est pas disponible sur ce serveur.",
      en: 'Network boot administration is not available on this server.',
    });
  },
});
