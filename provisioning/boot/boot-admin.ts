import type { BootAdmin } from '../../api/contract/boot-admin.ts';
import { getStationBoot, setStationBoot } from './boot-station-choice.ts';
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from './boot-groups-service.ts';
import { type BootCtx, createProfile, deleteProfile, getProfile, listProfiles, updateProfile } from './boot-profiles-service.ts';
import { getDefaultProfile, rollback, setDefaultProfile, switchVersion } from './boot-version-switch.ts';
import type { ImageCatalogue } from './image-catalogue.ts';
import { deleteImage, getImage, listImages, sealImage, verifyImage } from './image-catalogue-admin.ts';

/** The boot administration the API's routes receive (api/contract/boot-admin.ts), bound to its dependencies. */
export function createBootAdmin(ctx: BootCtx, catalogue: ImageCatalogue): BootAdmin {
  return {
    listProfiles: (request) => listProfiles(ctx, request),
    getProfile: (id) => getProfile(ctx, id),
    createProfile: (actor, input) => createProfile(ctx, catalogue, actor, input),
    updateProfile: (actor, id, patch) => updateProfile(ctx, catalogue, actor, id, patch),
    deleteProfile: (actor, id) => deleteProfile(ctx, actor, id),
    switchVersion: (actor, id, version) => switchVersion(ctx, catalogue, actor, id, version),
    rollback: (actor, id) => rollback(ctx, catalogue, actor, id),
    getDefault: () => getDefaultProfile(ctx),
    setDefault: (actor, profileId) => setDefaultProfile(ctx, actor, profileId),
    listGroups: (request) => listGroups(ctx, request),
    getGroup: (id) => getGroup(ctx, id),
    createGroup: (actor, input) => createGroup(ctx, actor, input),
    updateGroup: (actor, id, patch) => updateGroup(ctx, actor, id, patch),
    deleteGroup: (actor, id) => deleteGroup(ctx, actor, id),
    stationBoot: (stationId) => getStationBoot(ctx, stationId),
    setStationBoot: (actor, stationId, patch) => setStationBoot(ctx, actor, stationId, patch),
    listImages: (request) => listImages(ctx, catalogue, request),
    getImage: (name, version) => getImage(ctx, catalogue, name, version),
    sealImage: (actor, name, version) => sealImage(ctx, catalogue, actor, name, version),
    verifyImage: (name, version) => verifyImage(catalogue, name, version),
    deleteImage: (actor, name, version) => deleteImage(ctx, catalogue, actor, name, version),
  };
}
