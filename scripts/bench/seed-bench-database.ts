import BetterSqlite3 from 'better-sqlite3';
import { hashEvent, GENESIS_HASH } from '../../api/audit/audit-hash.ts';
import { sha256Hex } from '../../api/auth/tokens.ts';
import { migrateToLatest } from '../../api/db/migrator.ts';
import { openSqlite } from '../../api/db/open-sqlite.ts';
import { hashPassword } from '../../api/operators/passwords.ts';
import { formatCode, generateCode } from '../../api/sessions/access-code.ts';

export interface SeedSizes {
  visitors: number;
  pastSessions: number;
  /** Stations with a running session (time-remaining, heartbeats). */
  busyStations: number;
  /** Stations free to validate codes. */
  freeStations: number;
  /** Pending codes, unbound, for validation. */
  freshCodes: number;
  auditEvents: number;
}

export interface SeededData {
  adminPassword: string;
  busy: Array<{ stationId: number; token: string; sessionId: number }>;
  free: Array<{ stationId: number; token: string }>;
  codes: string[];
}

const DAY = 86_400_000;

/**
 * Fills a fresh database file as a busy EPN would after a year: raw prepared
 * statements in one transaction (Kysely per row would make seeding the
 * slowest part of the bench). Station tokens and audit hashes are real.
 */
export async function seedBenchDatabase(path: string, sizes: SeedSizes, now: number): Promise<SeededData> {
  const kysely = openSqlite({ path });
  await migrateToLatest(kysely);
  await kysely.destroy();

  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  const adminPassword = 'bench admin password';
  const adminHash = await hashPassword(adminPassword);
  const seeded: SeededData = { adminPassword, busy: [], free: [], codes: [] };

  db.transaction(() => {
    db.prepare(
      `insert into operators (username, display_name, role, password_hash, must_change_password, active, created_at, updated_at) values ('bench', 'Bench', 'admin', ?, 0, 1, ?, ?)`,
    ).run(adminHash, now, now);

    const user = db.prepare(
      `insert into users (first_name, last_name, birth_date, phone, email, consent_at, consent_text_version, search_text, created_at, updated_at)
       values (?, ?, '1980-05-17', ?, null, ?, '2026-01', ?, ?, ?)`,
    );
    for (let i = 1; i <= sizes.visitors; i++) {
      const first = `Prenom${i}`;
      const last = `Nom${i % 997}`;
      user.run(first, last, `+262692${String(100000 + i).slice(-6)}`, now - 400 * DAY, `${last} ${first}`.toLowerCase(), now - 400 * DAY, now - 400 * DAY);
    }

    const station = db.prepare(
      `insert into stations (name, mac, ip, state, created_at, updated_at, last_heartbeat_at) values (?, ?, ?, ?, ?, ?, ?)`,
    );
    const token = db.prepare(`insert into station_tokens (token_hash, station_id, created_at) values (?, ?, ?)`);
    const stationCount = sizes.busyStations + sizes.freeStations;
    for (let i = 1; i <= stationCount; i++) {
      const mac = `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      const busy = i <= sizes.busyStations;
      const id = Number(station.run(`poste-${i}`, mac, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, busy ? 'occupied' : 'available', now, now, now).lastInsertRowid);
      const t = `st_bench_${i}_${'x'.repeat(24)}`;
      token.run(sha256Hex(t), id, now);
      if (busy) seeded.busy.push({ stationId: id, token: t, sessionId: 0 });
      else seeded.free.push({ stationId: id, token: t });
    }

    const session = db.prepare(
      `insert into sessions (code, user_id, station_id, station_ip, status, end_reason, allotted_ms, remaining_ms, ends_at, code_expires_at, created_at, started_at, ended_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 0; i < sizes.pastSessions; i++) {
      const created = now - 365 * DAY + Math.floor((i / sizes.pastSessions) * 364 * DAY);
      const stationId = 1 + (i % stationCount);
      session.run(generateCode(8), 1 + (i % sizes.visitors), stationId, '10.0.0.1', 'ended', 'expired', 3_600_000, 0, null, created + DAY, created, created + 60_000, created + 3_660_000, created + 3_660_000);
    }
    for (const b of seeded.busy) {
      const id = session.run(generateCode(8), 1 + (b.stationId % sizes.visitors), b.stationId, '10.0.0.2', 'active', null, 7_200_000, null, now + 7_200_000, now + DAY, now - 60_000, now - 60_000, null, now).lastInsertRowid;
      b.sessionId = Number(id);
    }
    for (let i = 0; i < sizes.freshCodes; i++) {
      const code = generateCode(8);
      session.run(code, 1 + (i % sizes.visitors), null, null, 'pending', null, 3_600_000, 3_600_000, null, now + DAY, now - 1000, null, null, now);
      seeded.codes.push(formatCode(code));
    }

    const audit = db.prepare(
      `insert into audit_events (occurred_at, actor_type, actor_id, action, target_type, target_id, metadata, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let prev = GENESIS_HASH;
    for (let i = 0; i < sizes.auditEvents; i++) {
      const fields = {
        occurred_at: now - 365 * DAY + Math.floor((i / sizes.auditEvents) * 364 * DAY),
        actor_type: 'operator',
        actor_id: 1,
        action: i % 3 === 0 ? 'session.code_generated' : i % 3 === 1 ? 'session.started' : 'session.expired',
        target_type: 'session',
        target_id: 1 + (i % Math.max(1, sizes.pastSessions)),
        metadata: '{}',
        prev_hash: prev,
      };
      prev = hashEvent(fields);
      audit.run(fields.occurred_at, fields.actor_type, fields.actor_id, fields.action, fields.target_type, fields.target_id, fields.metadata, fields.prev_hash, prev);
    }
  })();
  db.close();
  return seeded;
}
