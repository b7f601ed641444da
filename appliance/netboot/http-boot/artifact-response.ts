import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../api/shared/errors.ts';
import { bootErrors } from '../../../provisioning/boot/boot-errors.ts';
import type { ImageCatalogue } from '../../../provisioning/boot/image-catalogue.ts';
import { MANIFEST_FILE } from '../../../provisioning/boot/image-names.ts';
import { type ByteRange, contentRange, multipartLayout, parseRange } from './byte-ranges.ts';
import { notModified, rangeStillValid, type Validators } from './validators.ts';

export interface ArtifactRequest {
  name: string;
  version: string;
  file: string;
}

const CHUNK = 256 * 1024;

/** 404 for anything not served: unknown, unsealed, unlisted, outside the catalogue. The reason goes to the log only. */
function notServed(file: string): DomainError {
  return bootErrors.fileNotFound(file);
}

/** What is served: manifest.json of a sealed version, and the files it lists. */
async function locate(catalogue: ImageCatalogue, a: ArtifactRequest): Promise<{ path: string; expected: { size: number; sha256: string } | null }> {
  let manifest;
  try {
    manifest = await catalogue.readManifest(a.name, a.version);
  } catch (error) {
    if (error instanceof DomainError && error.category !== 'unavailable') throw notServed(a.file);
    throw error;
  }
  const expected = a.file === MANIFEST_FILE ? null : manifest.files[a.file];
  if (expected === undefined) throw notServed(a.file);
  const path = await catalogue.resolveFile(a.name, a.version, a.file);
  if (path === null) throw notServed(a.file);
  return { path, expected };
}

function validatorsOf(stat: { size: number; mtimeMs: number }, expected: { sha256: string } | null): Validators {
  const mtimeSeconds = Math.floor(stat.mtimeMs / 1000);
  // Listed files are immutable once sealed: their SHA-256 is the natural strong tag.
  const etag = expected === null ? `"m-${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"` : `"sha256-${expected.sha256}"`;
  return { etag, lastModified: new Date(mtimeSeconds * 1000).toUTCString(), mtimeSeconds };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function* multipartBody(handle: FileHandle, ranges: ByteRange[], heads: string[], tail: string): AsyncGenerator<Buffer> {
  try {
    for (const [i, range] of ranges.entries()) {
      yield Buffer.from(heads[i]!);
      for await (const chunk of handle.createReadStream({ start: range.start, end: range.end, autoClose: false, highWaterMark: CHUNK })) yield chunk as Buffer;
    }
    yield Buffer.from(tail);
  } finally {
    await handle.close();
  }
}

/**
 * Sends one catalogue file with ETag, Last-Modified, conditional requests and
 * byte ranges (RFC 9110 §13, §14), streamed from disk: a 400 MB squashfs never
 * sits in memory. HEAD gets the same headers and no body.
 */
export async function sendArtifact(request: FastifyRequest, reply: FastifyReply, catalogue: ImageCatalogue, artifact: ArtifactRequest): Promise<FastifyReply> {
  const { path, expected } = await locate(catalogue, artifact);
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? notServed(artifact.file) : bootErrors.catalogueUnavailable(error);
  });
  let streaming = false;
  try {
    const stat = await handle.stat();
    if (expected !== null && stat.size !== expected.size) throw bootErrors.imageChanged(artifact.name, artifact.version, artifact.file);
    const v = validatorsOf(stat, expected);
    const contentType = artifact.file === MANIFEST_FILE ? 'application/json' : 'application/octet-stream';
    void reply.header('etag', v.etag).header('last-modified', v.lastModified).header('accept-ranges', 'bytes').header('cache-control', 'no-cache');
    if (notModified({ ifNoneMatch: header(request, 'if-none-match'), ifModifiedSince: header(request, 'if-modified-since') }, v)) return reply.code(304).send();
    // Range handling is defined for GET only (RFC 9110 §14.2).
    const wanted = request.method === 'GET' && rangeStillValid(header(request, 'if-range'), v) ? parseRange(header(request, 'range'), stat.size) : { kind: 'full' as const };
    if (wanted.kind === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${stat.size}`).type('text/plain').send('Range Not Satisfiable\n');
    const isHead = request.method === 'HEAD';
    if (wanted.kind === 'ranges' && wanted.ranges.length > 1) {
      const boundary = `epnbox-${randomBytes(12).toString('hex')}`;
      const layout = multipartLayout(wanted.ranges, stat.size, contentType, boundary);
      void reply.code(206).header('content-type', `multipart/byteranges; boundary=${boundary}`).header('content-length', String(layout.length));
      if (isHead) return reply.send();
      streaming = true;
      return reply.send(Readable.from(multipartBody(handle, wanted.ranges, layout.heads, layout.tail)));
    }
    const range = wanted.kind === 'ranges' ? wanted.ranges[0]! : { start: 0, end: stat.size - 1 };
    if (wanted.kind === 'ranges') void reply.code(206).header('content-range', contentRange(range, stat.size));
    void reply.header('content-type', contentType).header('content-length', String(range.end - range.start + 1));
    if (isHead || stat.size === 0) return reply.send();
    streaming = true;
    return reply.send(handle.createReadStream({ start: range.start, end: range.end, highWaterMark: CHUNK }));
  } finally {
    if (!streaming) await handle.close();
  }
}
