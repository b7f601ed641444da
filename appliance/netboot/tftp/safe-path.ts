import { realpathSync } from 'node:fs';
import path from 'node:path';

/** Why a requested name is not served; the server turns it into an ERROR packet. */
export type PathRefusal =
  | { readonly reason: 'not-found' }
  | { readonly reason: 'outside-root'; readonly detail: string };

export type PathResult = { readonly ok: true; readonly path: string } | ({ readonly ok: false } & PathRefusal);

/**
 * Resolves a requested file name under `root` (itself already a real path).
 * Refused before touching the disk: NUL bytes, absolute names and any `..`
 * segment. Refused after: names whose real path (symlinks followed) leaves the
 * root (and outside `symlinkTargets`, real directories an admin allowed links to
 * point into); the npm `tftp` server followed such symlinks. Backslashes are
 * ordinary characters on Linux, so `..\x` is a file name, not a way up.
 *
 * Synchronous, as file-open.ts: the root is a local directory the box staged
 * (<dataDir>/tftp), where realpath(3) takes microseconds; through the thread pool
 * the same call costs a hop to another thread and back (~50–100 µs on these VMs)
 * before the client gets its first packet.
 */
export async function resolveInRoot(root: string, requested: string, symlinkTargets: readonly string[] = []): Promise<PathResult> {
  const lexical = checkName(requested);
  if (lexical !== undefined) return { ok: false, reason: 'outside-root', detail: lexical };
  let real: string;
  try {
    real = realpathSync.native(path.join(root, requested));
  } catch {
    return { ok: false, reason: 'not-found' };
  }
  if (!isInside(root, real) && !symlinkTargets.some((dir) => isInside(dir, real))) {
    return { ok: false, reason: 'outside-root', detail: 'resolves outside the root' };
  }
  return { ok: true, path: real };
}

/** The lexical checks alone; undefined when the name may be looked up. */
export function checkName(requested: string): string | undefined {
  if (requested.includes('\0')) return 'NUL byte in name';
  if (requested.startsWith('/')) return 'absolute path';
  if (requested.split('/').includes('..')) return 'parent directory segment';
  return undefined;
}

/** True when `candidate` is strictly below `root` (both real, absolute paths). */
export function isInside(root: string, candidate: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}
