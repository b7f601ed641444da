/**
 * Conditional requests (RFC 9110 §13): If-None-Match, If-Modified-Since and
 * If-Range against the representation's ETag and Last-Modified.
 */

export interface Validators {
  /** Strong entity tag, quoted: `"…"`. */
  etag: string;
  /** HTTP-date (IMF-fixdate). */
  lastModified: string;
  /** Modification time in whole seconds since the epoch, for date comparisons. */
  mtimeSeconds: number;
}

function tagList(header: string): string[] {
  return header.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
}

const opaque = (tag: string) => tag.replace(/^W\//, '');

/** §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export function noneMatchHits(header: string, etag: string): boolean {
  const tags = tagList(header);
  return tags.includes('*') || tags.some((t) => opaque(t) === opaque(etag));
}

/**
 * True when the response is "Not Modified" (304) for a GET or HEAD. If-None-Match,
 * when present, decides alone; If-Modified-Since is only read without it (§13.2.2).
 */
export function notModified(headers: { ifNoneMatch?: string; ifModifiedSince?: string }, v: Validators): boolean {
  if (headers.ifNoneMatch !== undefined) return noneMatchHits(headers.ifNoneMatch, v.etag);
  if (headers.ifModifiedSince !== undefined) {
    const since = Date.parse(headers.ifModifiedSince);
    return Number.isFinite(since) && v.mtimeSeconds <= Math.floor(since / 1000);
  }
  return false;
}

/**
 * §13.1.5: the Range applies only if If-Range still names this representation:
 * an entity tag by strong comparison (a weak tag never matches), or a date
 * equal to Last-Modified.
 */
export function rangeStillValid(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === v.etag;
  const date = Date.parse(value);
  return Number.isFinite(date) && Math.floor(date / 1000) === v.mtimeSeconds;
}
