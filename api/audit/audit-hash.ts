import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields an event's hash covers: everything but its id and its own hash. */
export interface HashedFields {
  occurred_at: number;
  actor_type: string;
  actor_id: number | null;
  action: string;
  target_type: string | null;
  target_id: number | null;
  metadata: string;
  prev_hash: string;
}

/**
 * sha256 over a fixed-order JSON array: the same event always hashes the same,
 * whatever the driver's column order or number representation.
 */
export function hashEvent(e: HashedFields): string {
  const canonical = JSON.stringify([
    e.prev_hash,
    Number(e.occurred_at),
    e.actor_type,
    e.actor_id === null ? null : Number(e.actor_id),
    e.action,
    e.target_type,
    e.target_id === null ? null : Number(e.target_id),
    e.metadata,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
