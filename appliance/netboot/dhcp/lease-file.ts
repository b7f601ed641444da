import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isIpv4 } from './dhcp-packet.ts';

export interface Lease {
  mac: string;
  ip: string;
  /** Epoch ms; a lease past it is expired but kept a while so the MAC gets the same address back. */
  expiresAt: number;
  hostname?: string;
}

export interface DeclinedAddress {
  ip: string;
  /** Epoch ms until which the address is not offered (RFC 2131 §4.3.3). */
  until: number;
}

export interface LeaseFileContent {
  version: 1;
  leases: Lease[];
  declined: DeclinedAddress[];
}

export const emptyLeaseFile = (): LeaseFileContent => ({ version: 1, leases: [], declined: [] });

/**
 * Writes the whole file beside the target, fsyncs it, renames it over the target and
 * fsyncs the directory: a crash leaves the old file or the new one, never half of one.
 */
export async function writeLeaseFile(path: string, content: LeaseFileContent): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(content)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export type ReadLeaseResult = { ok: true; content: LeaseFileContent } | { ok: false; reason: string };

/**
 * A missing file reads as empty; a file that does not parse is reported, not thrown.
 * A file that cannot be read at all (permissions, a directory) throws: that is a setup
 * error to fix, not a file to set aside.
 */
export async function readLeaseFile(path: string): Promise<ReadLeaseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, content: emptyLeaseFile() };
    throw new Error(`dhcp: cannot read the lease file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseLeaseFile(JSON.parse(text) as unknown);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}

function parseLeaseFile(data: unknown): ReadLeaseResult {
  const bad = (reason: string): ReadLeaseResult => ({ ok: false, reason });
  if (typeof data !== 'object' || data === null) return bad('not an object');
  const { version, leases, declined } = data as Record<string, unknown>;
  if (version !== 1) return bad(`unknown version ${String(version)}`);
  if (!Array.isArray(leases) || !Array.isArray(declined)) return bad('leases/declined must be arrays');
  const isLease = (l: Record<string, unknown>): boolean =>
    typeof l.mac === 'string' &&
    /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(l.mac) &&
    typeof l.ip === 'string' &&
    isIpv4(l.ip) &&
    typeof l.expiresAt === 'number' && (l.hostname === undefined || typeof l.hostname === 'string');
  const isDeclined = (d: Record<string, unknown>): boolean => typeof d.ip === 'string' && isIpv4(d.ip) && typeof d.until === 'number';
  if (!leases.every((l) => typeof l === 'object' && l !== null && isLease(l as Record<string, unknown>))) return bad('malformed lease entry');
  if (!declined.every((d) => typeof d === 'object' && d !== null && isDeclined(d as Record<string, unknown>))) return bad('malformed declined entry');
  return { ok: true, content: { version: 1, leases: leases as Lease[], declined: declined as DeclinedAddress[] } };
}
