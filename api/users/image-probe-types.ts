/** What a content check of an uploaded image concludes. */
export type ImageMime = 'image/jpeg' | 'image/png';

export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

/**
 * Why an image was refused: empty input, over the byte limit, not a JPEG/PNG,
 * cut short, structurally broken, or zero/absurd dimensions.
 */
export type ProbeFailure = 'empty' | 'too_large' | 'type' | 'truncated' | 'corrupt' | 'dimensions';

export type ProbeResult = { ok: true; image: ImageInfo } | { ok: false; failure: ProbeFailure; reason: string };

/** Larger sides are not an ID photo (and would cost a lot to decode on display). */
export const MAX_IMAGE_SIDE = 20_000;

export function probeFail(failure: ProbeFailure, reason: string): ProbeResult {
  return { ok: false, failure, reason };
}
