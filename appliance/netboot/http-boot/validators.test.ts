import { describe, expect, it } from 'vitest';
import { noneMatchHits, notModified, rangeStillValid, type Validators } from './validators.ts';

const mtime = Date.parse('2026-03-02T08:00:00Z') / 1000;
const v: Validators = { etag: '"sha256-abc"', lastModified: new Date(mtime * 1000).toUTCString(), mtimeSeconds: mtime };

describe('conditional requests (RFC 9110 §13)', () => {
  it('If-None-Match: weak comparison, lists and *', () => {
    expect(noneMatchHits('"sha256-abc"', v.etag)).toBe(true);
    expect(noneMatchHits('W/"sha256-abc"', v.etag)).toBe(true);
    expect(noneMatchHits('"x", "sha256-abc"', v.etag)).toBe(true);
    expect(noneMatchHits('*', v.etag)).toBe(true);
    expect(noneMatchHits('"x"', v.etag)).toBe(false);
  });

  it('If-None-Match decides alone; If-Modified-Since is read only without it', () => {
    expect(notModified({ ifNoneMatch: '"x"', ifModifiedSince: v.lastModified }, v)).toBe(false);
    expect(notModified({ ifModifiedSince: v.lastModified }, v)).toBe(true);
    expect(notModified({ ifModifiedSince: new Date((mtime - 1) * 1000).toUTCString() }, v)).toBe(false);
    expect(notModified({ ifModifiedSince: 'not a date' }, v)).toBe(false);
    expect(notModified({}, v)).toBe(false);
  });

  it('If-Range: strong tag equality or the exact Last-Modified date', () => {
    expect(rangeStillValid(undefined, v)).toBe(true);
    expect(rangeStillValid('"sha256-abc"', v)).toBe(true);
    expect(rangeStillValid('W/"sha256-abc"', v)).toBe(false);
    expect(rangeStillValid('"other"', v)).toBe(false);
    expect(rangeStillValid(v.lastModified, v)).toBe(true);
    expect(rangeStillValid(new Date((mtime + 5) * 1000).toUTCString(), v)).toBe(false);
  });
});
