import { probeFail, type ProbeResult } from './image-probe-types.ts';
import { looksLikeJpeg, probeJpeg } from './jpeg-probe.ts';
import { looksLikePng, probePng } from './png-probe.ts';

export type { ImageInfo, ImageMime, ProbeFailure, ProbeResult } from './image-probe-types.ts';

/** 5 MiB: the ID photo limit. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/**
 * Decides what an upload is from its bytes alone — never from a file name or
 * a claimed MIME type. The size is checked first so an oversized upload is
 * never parsed.
 */
export function probeImage(bytes: Uint8Array, maxBytes: number = MAX_PHOTO_BYTES): ProbeResult {
  if (bytes.length === 0) return probeFail('empty', 'no bytes');
  if (bytes.length > maxBytes) return probeFail('too_large', `${bytes.length} bytes > ${maxBytes}`);
  if (looksLikePng(bytes)) return probePng(bytes);
  if (looksLikeJpeg(bytes)) return probeJpeg(bytes);
  return probeFail('type', 'neither PNG nor JPEG');
}
