import type { Socket } from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { sendFile as SendFile } from '@epnbox/sendfile';
import type { ByteRange } from './byte-ranges.ts';

/** Whether artifact bodies leave through sendfile(2) (native/sendfile) or through pooled buffers. */
export type BodyPath = { kind: 'sendfile'; sendFile: typeof SendFile } | { kind: 'buffers'; reason: string };

/**
 * Imports the addon, built by node-gyp at `npm ci`. When the build failed or the platform
 * has no sendfile(2), bodies take the JavaScript path, and the reason is said at start
 * (log, /api/health netbootDetail.httpBodies).
 */
export async function loadBodyPath(load: () => Promise<{ sendFile: typeof SendFile }> = () => import('@epnbox/sendfile')): Promise<BodyPath> {
  try {
    const addon = await load();
    return { kind: 'sendfile', sendFile: addon.sendFile };
  } catch (error) {
    return { kind: 'buffers', reason: `@epnbox/sendfile not loaded: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

/** Loaded once per process, at import: the route and the health report read it synchronously. */
const loaded = await loadBodyPath();

export function bodyPath(): BodyPath {
  return loaded;
}

/** For /api/health: "sendfile", or "buffers (<why>)". */
export function describeBodyPath(path: BodyPath = loaded): string {
  return path.kind === 'sendfile' ? 'sendfile' : `buffers (${path.reason})`;
}

/** The descriptor of a plain TCP connection; undefined for TLS or anything not backed by one fd. */
function plainFd(socket: Socket | null): number | undefined {
  if (socket === null || socket.destroyed || 'encrypted' in socket) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

// Errors that mean the client went away or stopped reading, not a fault of ours.
const CLIENT_GONE = new Set(['ECANCELED', 'EPIPE', 'ECONNRESET', 'ETIMEDOUT', 'ENOTCONN', 'ESHUTDOWN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Sends the head already set on `out`, then `range` of the file with sendfile(2) on the
 * addon's thread (zero-copy: the bytes go from the page cache to the socket), then ends
 * the response so the connection serves the next request (keep-alive): Node wrote the
 * head and writes nothing else meanwhile, the addon writes exactly the announced bytes.
 * Returns undefined, having sent nothing of the body, when this connection cannot take
 * that path (TLS, head not yet handed to the kernel): the caller uses the buffer path.
 * A client gone or taking nothing for `stalledMs` gives 'aborted'; a file shorter than
 * announced throws after the connection is cut (a body is never padded).
 */
export async function sendRangeZeroCopy(out: ServerResponse, handle: FileHandle, range: ByteRange, sendFile: typeof SendFile, stalledMs: number): Promise<'sent' | 'aborted' | undefined> {
  const socket = out.socket;
  const fd = plainFd(socket);
  if (socket === null || fd === undefined) return undefined;
  out.flushHeaders();
  // Node writes small heads synchronously; one still queued (full socket buffer, corked) would interleave.
  if (socket.writableLength !== 0 || socket.writableCorked !== 0) return undefined;
  // Node sees none of the addon's writes: its idle timer (the server's connection timeout,
  // build-app.ts) would cut a download longer than that. The addon's stall limit watches
  // the client meanwhile; the idle timer comes back for the time between requests.
  const idleMs = socket.timeout ?? 0;
  if (idleMs > 0) socket.setTimeout(0);
  const transfer = sendFile(fd, handle.fd, range.start, range.end - range.start + 1, stalledMs);
  const gone = () => transfer.cancel();
  out.once('close', gone);
  if (out.destroyed || socket.destroyed) transfer.cancel();
  const outcome = await transfer.done;
  out.off('close', gone);
  if (idleMs > 0 && !socket.destroyed) socket.setTimeout(idleMs);
  if (outcome.ok) {
    out.end();
    return 'sent';
  }
  out.destroy();
  if (outcome.code === 'ENODATA') throw new Error(`file ended at byte ${range.start + outcome.sent}, before the ${range.end + 1} announced`);
  if (CLIENT_GONE.has(outcome.code)) return 'aborted';
  throw new Error(`sendfile failed after ${outcome.sent} bytes: ${outcome.code}`);
}
