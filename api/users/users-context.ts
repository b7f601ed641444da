import type { DomainContext } from '../shared/domain-context.ts';
import type { PhotoStore } from './photo-store.ts';

/** A domain context that can also reach the photo files (photo, anonymisation and export services). */
export interface UsersContext extends DomainContext {
  photos: PhotoStore;
}

/** Removes a file after the commit; a failure leaves an orphan for the sweep, never a broken row. */
export async function removePhotoFileAfterCommit(ctx: UsersContext, key: string | null): Promise<boolean> {
  if (key === null) return true;
  try {
    await ctx.photos.delete(key);
    return true;
  } catch {
    return false;
  }
}
