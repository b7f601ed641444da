/**
 * Byte ranges of RFC 9110 §14 (Range, Content-Range, multipart/byteranges).
 * Pure functions: the route decides, these only compute.
 */

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export type RangeRequest =
  /** No Range, a unit other than bytes, or a header we ignore (bad syntax, too many parts): send it all. */
  | { kind: 'full' }
  /** Syntactically fine but no range overlaps the representation (416, RFC 9110 §15.5.17). */
  | { kind: 'unsatisfiable' }
  | { kind: 'ranges'; ranges: ByteRange[] };

/** More parts than this and the header is ignored (RFC 9110 §14.2 lets a server ignore many small ranges). */
export const MAX_RANGES = 32;

const SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses `Range: bytes=…` against a representation of `size` bytes. Ranges
 * that overlap or touch are coalesced, in offset order (allowed by §14.2, and
 * it keeps a client from asking for the same bytes many times over).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (match === null || size === 0) return { kind: 'full' };
  const specs = match[1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (specs.length === 0 || specs.length > MAX_RANGES) return { kind: 'full' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const parts = SPEC.exec(spec);
    if (parts === null || (parts[1] === '' && parts[2] === '')) return { kind: 'full' };
    const [first, last] = [parts[1]!, parts[2]!];
    if (first === '') {
      // suffix-range: the last N bytes (§14.1.2); "-0" selects nothing.
      const length = Number(last);
      if (length > 0) ranges.push({ start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
    // last-pos before first-pos makes the range invalid, not unsatisfiable (§14.1.1).
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'full' };
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1) });
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  return { kind: 'ranges', ranges: coalesce(ranges) };
}

function coalesce(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [sorted[0]!];
  for (const range of sorted.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (range.start <= last.end + 1) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** The part headers and closing line of a multipart/byteranges body (RFC 9110 §14.6), and its total length. */
export function multipartLayout(ranges: ByteRange[], size: number, contentType: string, boundary: string): { heads: string[]; tail: string; length: number } {
  const heads = ranges.map((range, i) => `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${contentType}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`);
  const tail = `\r\n--${boundary}--\r\n`;
  const length = heads.reduce((sum, head) => sum + Buffer.byteLength(head), 0) + ranges.reduce((sum, r) => sum + r.end - r.start + 1, 0) + Buffer.byteLength(tail);
  return { heads, tail, length };
}
