import { isoInstantPieces } from './iso-instant.ts';

/**
 * JSON text written as pieces and joined once (the list pages' writers:
 * user-json.ts and the others). A page is written straight from the domain's
 * views, the same bytes the response serializer (fast-json-stringify) wrote
 * from the wire objects (test/api/list-bodies.test.ts), without those objects
 * and with about a third of the garbage: a value that needs no escape, the
 * keys and the parts of an instant are stored as they are, not copied into
 * new strings, and the only string made is the page itself.
 */
export class JsonText {
  private readonly parts: string[] = [];
  private n = 0;

  /** JSON text as it is: punctuation and keys. */
  raw(text: string): void {
    this.parts[this.n++] = text;
  }

  /**
   * A string as JSON.stringify (and the serializer) write it. Most need no
   * escape: a scan of their code units is cheaper than JSON.stringify; a
   * quote, backslash, control character or surrogate (a lone one is escaped)
   * leaves the string to JSON.stringify.
   */
  string(value: string | null): void {
    if (value === null) {
      this.parts[this.n++] = 'null';
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) {
        this.parts[this.n++] = JSON.stringify(value);
        return;
      }
    }
    this.parts[this.n++] = '"';
    this.parts[this.n++] = value;
    this.parts[this.n++] = '"';
  }

  /** A finite number (the lists' integers and percentages) as JSON.stringify writes it. */
  number(value: number | null): void {
    this.parts[this.n++] = value === null ? 'null' : `${value}`;
  }

  boolean(value: boolean | null): void {
    this.parts[this.n++] = value === null ? 'null' : value ? 'true' : 'false';
  }

  /** An instant (epoch ms) as the wire's ISO 8601 string (isoInstant writes nothing JSON must escape). */
  instant(ms: number | null): void {
    if (ms === null) {
      this.parts[this.n++] = 'null';
      return;
    }
    this.parts[this.n++] = '"';
    this.n = isoInstantPieces(ms, this.parts, this.n);
    this.parts[this.n++] = '"';
  }

  /** The text written so far as UTF-8; the writer starts again empty. */
  take(): Buffer {
    // Cut to what this page wrote (a longer page before leaves pieces behind), keeping the
    // array's room for the next page; the pieces are then let go, not held until then.
    this.parts.length = this.n;
    const text = this.parts.join('');
    this.reset();
    return Buffer.from(text);
  }

  /** Forgets what was written. */
  reset(): void {
    this.parts.fill('', 0, this.n);
    this.n = 0;
  }
}

// One writer for every page: pages are written synchronously, one at a time, and its array of
// pieces then keeps its capacity instead of growing again for each page. A writer in use
// (an item writer writing a page of its own) makes the inner page take a fresh one.
const shared = new JsonText();
let sharedInUse = false;

/** A list page as the domain gives it (pageOf, common.ts). */
export interface ListPage<T> {
  items: readonly T[];
  total: number;
  page: number;
  pageSize: number;
}

/** `{ items, total, page, pageSize }` with each item written by `item`, as UTF-8. */
export function pageBody<T>(page: ListPage<T>, item: (w: JsonText, value: T) => void): Buffer {
  const w = sharedInUse ? new JsonText() : shared;
  const own = w === shared;
  if (own) sharedInUse = true;
  try {
    w.raw('{"items":[');
    page.items.forEach((value, i) => {
      if (i > 0) w.raw(',');
      item(w, value);
    });
    w.raw(`],"total":${page.total},"page":${page.page},"pageSize":${page.pageSize}}`);
    return w.take();
  } catch (error) {
    w.reset();
    throw error;
  } finally {
    if (own) sharedInUse = false;
  }
}
