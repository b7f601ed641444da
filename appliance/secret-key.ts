import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The HMAC key for access and CSRF tokens: created once in the data directory
 * (mode 0600) so logins survive a restart, and never in the database, whose
 * copies travel more (backups, exports).
 */
export function loadOrCreateSecretKey(dataDir: string): Buffer {
  const path = join(dataDir, 'secret.key');
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length >= 32) return key;
    throw new Error(`${path} holds fewer than 32 bytes; delete it to create a new key (all logins end)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
