import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { hashEvent, type HashedFields } from '../audit/audit-hash.ts';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, type ArchiveHeader } from './archive-format.ts';

export type ArchiveProblem =
  | 'unreadable'
  | 'bad_header'
  | 'malformed_line'
  | 'id_out_of_order'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'count_mismatch'
  | 'last_hash_mismatch'
  | 'content_sha256_mismatch';

export type ArchiveCheck =
  | { ok: true; header: ArchiveHeader; fileSha256: string; bytes: number }
  | { ok: false; problem: ArchiveProblem; /** 1-based line of the file (1 is the header); null for the file as a whole. */ line: number | null; detail: string };

/** Decompressed lines of a gzip file, and the sha256 and size of its compressed bytes once read to the end. */
class GzipLines {
  private readonly raw = createHash('sha256');
  bytes = 0;

  constructor(private readonly path: string) {}

  fileSha256(): string {
    return this.raw.digest('hex');
  }

  async *lines(): AsyncGenerator<string> {
    const tap = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.raw.update(chunk);
        this.bytes += chunk.length;
        done(null, chunk);
      },
    });
    const gunzip = createGunzip();
    let failure: unknown;
    const piping = pipeline(createReadStream(this.path), tap, gunzip).catch((error: unknown) => {
      failure = error;
    });
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      for await (const chunk of gunzip) {
        rest += decoder.write(chunk as Buffer);
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        yield* parts;
      }
      await piping;
      if (failure !== undefined) throw failure;
      rest += decoder.end();
      if (rest !== '') yield rest;
    } finally {
      gunzip.destroy();
      await piping;
    }
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseHeader(line: string | undefined): ArchiveHeader | null {
  try {
    const h = JSON.parse(line ?? '') as ArchiveHeader;
    const ints = [h.fromId, h.toId, h.count].every((n) => Number.isSafeInteger(n) && n >= 0);
    const hashes = [h.firstPrevHash, h.lastHash, h.contentSha256].every((x) => typeof x === 'string' && HEX64.test(x));
    return h.format === ARCHIVE_FORMAT && h.version === ARCHIVE_VERSION && ints && hashes ? h : null;
  } catch {
    return null;
  }
}

type EventLine = HashedFields & { id: number; hash: string };

function parseEvent(line: string): EventLine | null {
  try {
    const e = JSON.parse(line) as EventLine;
    return Number.isSafeInteger(e.id) && typeof e.hash === 'string' && typeof e.prev_hash === 'string' && typeof e.metadata === 'string' ? e : null;
  } catch {
    return null;
  }
}

const fail = (problem: ArchiveProblem, line: number | null, detail: string): ArchiveCheck => ({ ok: false, problem, line, detail });

/** The chain walked so far: what the next event must carry. */
class ChainWalk {
  readonly digest = createHash('sha256');
  count = 0;
  prev: string;
  lastId: number;

  constructor(readonly header: ArchiveHeader) {
    this.prev = header.firstPrevHash;
    this.lastId = header.fromId - 1;
  }

  /** Takes one event line; returns the problem with it, or null. */
  take(line: string, lineNo: number): ArchiveCheck | null {
    const h = this.header;
    const event = parseEvent(line);
    if (event === null) return fail('malformed_line', lineNo, 'not an audit event');
    if (event.id <= this.lastId || event.id > h.toId || (this.count === 0 && event.id !== h.fromId)) {
      return fail('id_out_of_order', lineNo, `event ${event.id} out of order or outside ${h.fromId}-${h.toId}`);
    }
    if (event.prev_hash !== this.prev) return fail('prev_hash_mismatch', lineNo, `event ${event.id} does not link to the one before`);
    if (hashEvent(event) !== event.hash) return fail('hash_mismatch', lineNo, `event ${event.id} does not match its hash`);
    this.digest.update(`${line}\n`);
    this.prev = event.hash;
    this.lastId = event.id;
    this.count += 1;
    return null;
  }

  /** After the last line: the file holds what its header announces. */
  end(): ArchiveCheck | null {
    const h = this.header;
    if (this.count !== h.count || this.lastId !== h.toId) return fail('count_mismatch', null, `header says ${h.count} events up to ${h.toId}, file has ${this.count} up to ${this.lastId}`);
    if (this.prev !== h.lastHash) return fail('last_hash_mismatch', null, "the last event is not the header's lastHash");
    if (this.digest.digest('hex') !== h.contentSha256) return fail('content_sha256_mismatch', null, 'the content digest differs from the header');
    return null;
  }
}

/**
 * Reads an archive file back and checks it on its own, without the database:
 * header, every event's hash and link, the ids in order inside the header's
 * range, the count, the last hash and the digest of the content. The first
 * problem found is reported with its line.
 */
export async function checkArchiveFile(path: string): Promise<ArchiveCheck> {
  const source = new GzipLines(path);
  let walk: ChainWalk | null = null;
  let lineNo = 0;
  try {
    for await (const line of source.lines()) {
      lineNo += 1;
      if (walk === null) {
        const header = parseHeader(line);
        if (header === null) return fail('bad_header', 1, 'not an epnbox audit archive header');
        walk = new ChainWalk(header);
        continue;
      }
      const problem = walk.take(line, lineNo);
      if (problem !== null) return problem;
    }
  } catch (error) {
    return fail('unreadable', null, (error as Error).message);
  }
  if (walk === null) return fail('bad_header', 1, 'empty file');
  return walk.end() ?? { ok: true, header: walk.header, fileSha256: source.fileSha256(), bytes: source.bytes };
}
