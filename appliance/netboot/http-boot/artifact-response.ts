import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../api/shared/errors.ts';
import { bootErrors } from '../../../provisioning/boot/boot-errors.ts';
import type { ImageCatalogue } from '../../../provisioning/boot/image-catalogue.ts';
import { MANIFEST_FILE } from '../../../provisioning/boot/image-names.ts';
import type { BufferPool } from './buffer-pool.ts';
import { contentRange, multipartLayout, parseRange } from './byte-ranges.ts';
import { type BodyPart, writeFileBody } from './file-body.ts';
import { notModified, rangeStillValid, type Validators } from './validators.ts';
import { type BodyPath, sendRangeZeroCopy } from './zero-copy.ts';

export interface ArtifactRequest {
  name: string;
  version: string;
  file: string;
}

export interface ArtifactServing {
  catalogue: ImageCatalogue;
  /** Buffers for the file bodies, shared by every response of the route. */
  pool: BufferPool;
  /** sendfile(2) for whole files and single ranges when the addon is loaded; else the buffers. */
  bodies: BodyPath;
  /** The station's MAC for the log line (the neighbour table: HTTP only sees an address). */
  macOf: (ip: string) => Promise<string | undefined>;
  /** A download whose client takes nothing for this long is cut off. */
  stalledClientMs: number;
}

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

/**
 * Sends the head set on `reply`, then the body straight from the file to the
 * socket (see writeFileBody), outside Fastify's stream handling. The file is
 * closed on every path, a client going away mid-file included.
 */
async function streamBody(request: FastifyRequest, reply: FastifyReply, handle: FileHandle, parts: BodyPart[], serving: ArtifactServing, artifact: ArtifactRequest): Promise<void> {
  void reply.hijack();
  const res = reply.raw;
  const started = Date.now();
  let outcome: 'sent' | 'aborted' | 'failed';
  let body: 'sendfile' | 'buffers' = 'buffers';
  try {
    res.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
    // One range (or the whole file) of one file: zero-copy; multipart bodies interleave literal heads.
    const only = parts.length === 1 ? parts[0] : undefined;
    let zeroCopy: 'sent' | 'aborted' | undefined;
    if (only !== undefined && !Buffer.isBuffer(only) && serving.bodies.kind === 'sendfile') {
      body = 'sendfile';
      zeroCopy = await sendRangeZeroCopy(res, handle, only, serving.bodies.sendFile, serving.stalledClientMs);
      if (zeroCopy === undefined) body = 'buffers';
    }
    outcome = zeroCopy ?? (await writeFileBody(res, handle, parts, serving.pool, { stalledMs: serving.stalledClientMs }));
  } catch (error) {
    outcome = 'failed';
    request.log.error({ err: error, file: artifact.file }, 'boot file: read failed mid-response');
    res.destroy(error as Error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  const fields = {
    mac: (await serving.macOf(request.ip)) ?? 'unknown',
    ip: request.ip,
    image: `${artifact.name} ${artifact.version}`,
    file: artifact.file,
    status: reply.statusCode,
    bytes: Number(reply.getHeader('content-length')),
    outcome,
    body,
    ms: Date.now() - started,
  };
  if (outcome === 'failed') request.log.warn(fields, 'boot file failed');
  else request.log.info(fields, outcome === 'sent' ? 'boot file sent' : 'boot file aborted by the client');
}

/**
 * Sends one catalogue file with ETag, Last-Modified, conditional requests and
 * byte ranges (RFC 9110 §13, §14), streamed from disk: a 400 MB squashfs never
 * sits in memory. HEAD gets the same headers and no body.
 */
export async function sendArtifact(request: FastifyRequest, reply: FastifyReply, serving: ArtifactServing, artifact: ArtifactRequest): Promise<FastifyReply> {
  const { path, expected } = await locate(serving.catalogue, artifact);
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
      const parts = wanted.ranges.flatMap((range, i): BodyPart[] => [Buffer.from(layout.heads[i]!), range]);
      await streamBody(request, reply, handle, [...parts, Buffer.from(layout.tail)], serving, artifact);
      return reply;
    }
    const range = wanted.kind === 'ranges' ? wanted.ranges[0]! : { start: 0, end: stat.size - 1 };
    if (wanted.kind === 'ranges') void reply.code(206).header('content-range', contentRange(range, stat.size));
    void reply.header('content-type', contentType).header('content-length', String(range.end - range.start + 1));
    if (isHead || stat.size === 0) return reply.send();
    streaming = true;
    await streamBody(request, reply, handle, [range], serving, artifact);
    return reply;
  } finally {
    if (!streaming) await handle.close();
  }
}
