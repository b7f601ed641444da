import { writeIsoInstant } from './iso-instant.ts';

/** Bytes of the constant pieces (keys, punctuation) writers pass to raw(), encoded once. */
const constants = new Map<string, Uint8Array>();
/** raw() is for constant text; past this many distinct pieces (a writer bug), no more are kept. */
const MAX_CONSTANTS = 2048;
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const QUOTE = 34;
/** Room for one instant, quotes included (Date's longest form, "+275760-09-13T00:00:00.000Z", is 27). */
const INSTANT_ROOM = 32;

/** One writer's bytes at a time; a page is written synchronously from new JsonText() to take(). */
let spare: Buffer | undefined = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * JSON text written piece by piece as UTF-8 bytes (the list pages' writers:
 * user-json.ts and the others). A page is written straight from the domain's
 * views, the same bytes the response serializer (fast-json-stringify) wrote
 * from the wire objects (test/api/list-bodies.test.ts), without those objects.
 *
 * Bytes go into one reused buffer, copied out once by take(): the page makes
 * no string per value. Appending strings (a rope, then UTF-8 at the end) made
 * ~150 KiB of garbage for a page of 50 visitors (~10 strings per instant), about
 * half of what the request allocated: under a list load that was one young
 * collection every few requests, and what they promoted fed the old
 * generation's collections (docs/performance.md, session 6).
 */
export class JsonText {
  private buf: Buffer;
  private at = 0;

  constructor() {
    this.buf = spare ?? Buffer.allocUnsafeSlow(64 * 1024);
    spare = undefined;
  }

  /** Constant JSON text: punctuation and keys (encoded once, then copied). */
  raw(text: string): void {
    let bytes = constants.get(text);
    if (bytes === undefined) {
      bytes = Buffer.from(text);
      if (constants.size < MAX_CONSTANTS) constants.set(text, bytes);
    }
    this.bytes(bytes);
  }

  /** JSON text made at run time (a JSON.stringify result): written as UTF-8, not kept. */
  json(text: string): void {
    this.room(text.length * 3);
    this.at += this.buf.write(text, this.at, 'utf8');
  }

  /**
   * A string as JSON.stringify (and the serializer) write it. Most are
   * printable ASCII with nothing to escape: written byte by byte. Any other
   * character (accents, a quote, a control character, a surrogate: a lone one
   * is escaped) leaves the string to JSON.stringify and the UTF-8 encoder.
   */
  string(value: string | null): void {
    if (value === null) {
      this.bytes(NULL);
      return;
    }
    const length = value.length;
    this.room(length + 2);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = QUOTE;
    for (let i = 0; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c < 32 || c > 126 || c === QUOTE || c === 92) {
        this.json(JSON.stringify(value));
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = QUOTE;
    this.at = at;
  }

  /** A finite number (the lists' integers and percentages) as JSON.stringify writes it. */
  number(value: number | null): void {
    if (value === null) {
      this.bytes(NULL);
      return;
    }
    if (Number.isInteger(value) && value >= 0 && value < 1e15) {
      this.room(16);
      this.at = writeDigits(value, this.buf, this.at);
      return;
    }
    this.json(JSON.stringify(value));
  }

  boolean(value: boolean | null): void {
    this.bytes(value === null ? NULL : value ? TRUE : FALSE);
  }

  /** An instant (epoch ms) as the wire's ISO 8601 string (isoInstant's text, which JSON never escapes). */
  instant(ms: number | null): void {
    if (ms === null) {
      this.bytes(NULL);
      return;
    }
    this.room(INSTANT_ROOM);
    const buf = this.buf;
    buf[this.at] = QUOTE;
    const end = writeIsoInstant(ms, buf, this.at + 1);
    buf[end] = QUOTE;
    this.at = end + 1;
  }

  /** The text written as a Buffer of its own; the writer is done (its buffer serves the next one). */
  take(): Buffer {
    const body = Buffer.allocUnsafe(this.at);
    this.buf.copy(body, 0, 0, this.at);
    spare = this.buf;
    this.at = 0;
    return body;
  }

  private bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** At least `n` more bytes of room: the buffer doubles as needed (and stays that size for the next page). */
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const bigger = Buffer.allocUnsafeSlow(size);
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

/** A non-negative integer's decimal digits (below 1e15: exact in a double) from `at`; the index after. */
function writeDigits(value: number, buf: Uint8Array, at: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    buf[i] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/** A list page as the domain gives it (pageOf, common.ts). */
export interface ListPage<T> {
  items: readonly T[];
  total: number;
  page: number;
  pageSize: number;
}

/** `{ items, total, page, pageSize }` with each item written by `item`, as UTF-8. */
export function pageBody<T>(page: ListPage<T>, item: (w: JsonText, value: T) => void): Buffer {
  const w = new JsonText();
  w.raw('{"items":[');
  page.items.forEach((value, i) => {
    if (i > 0) w.raw(',');
    item(w, value);
  });
  w.raw('],"total":');
  w.number(page.total);
  w.raw(',"page":');
  w.number(page.page);
  w.raw(',"pageSize":');
  w.number(page.pageSize);
  w.raw('}');
  return w.take();
}
