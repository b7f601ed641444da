import type { Selectable } from 'kysely';

/**
 * One-time enrollment nonces: the iPXE script puts one on a station's kernel
 * command line; the agent trades it once for a station token. Stored as
 * SHA-256 only, bound to the MAC it was issued for, short-lived.
 */
export interface EnrollmentNoncesTable {
  nonce_hash: string;
  station_id: number;
  /** Lower-case, colon separated, as stations.mac. */
  mac: string;
  /** Address that fetched the boot script (for the audit trail); null when unknown. */
  issued_ip: string | null;
  created_at: number;
  expires_at: number;
  /** Set at the first presentation, successful or not: a nonce is never accepted twice. */
  used_at: number | null;
}

export type EnrollmentNonceRow = Selectable<EnrollmentNoncesTable>;
