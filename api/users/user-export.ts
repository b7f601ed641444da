import type { Actor, ActorType, AuditAction, TargetType } from '../audit/audit-actions.ts';
import type { AuditEventRow } from '../audit/audit-table.ts';
import type { DbOrTx } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Session } from '../sessions/sessions-table.ts';
import { probeImage } from './image-probe.ts';
import { auditUser, loadVisibleUser } from './user-access.ts';
import { photoStorageFailure } from './user-errors.ts';
import { toUserView, type UserView } from './user-view.ts';
import type { UsersContext } from './users-context.ts';
import type { User } from './users-table.ts';

/**
 * Everything epnbox holds about one person (RGPD art. 15 right of access), as
 * plain JSON. Times are epoch milliseconds (UTC); `timeZone` says how the
 * EPN reads them. The photo is included as base64: it is personal data the
 * person is entitled to receive, and 5 MB at most.
 */
export interface UserExport {
  format: 'epnbox.user-export';
  version: 1;
  exportedAt: number;
  timeZone: string;
  profile: UserView;
  photo: ExportedPhoto | null;
  sessions: ExportedSession[];
  auditEvents: ExportedAuditEvent[];
}

export interface ExportedPhoto {
  mime: string;
  width: number | null;
  height: number | null;
  sizeBytes: number;
  /** Null when the file is missing from the photo store. */
  base64: string | null;
}

export interface ExportedSession {
  id: number;
  status: Session['status'];
  endReason: Session['end_reason'];
  createdAt: number;
  codeExpiresAt: number;
  startedAt: number | null;
  endedAt: number | null;
  station: { id: number; name: string } | null;
  stationIp: string | null;
  allottedMs: number;
  /** Time used on a station so far. */
  usedMs: number;
}

export interface ExportedAuditEvent {
  id: number;
  occurredAt: number;
  action: AuditAction;
  actorType: ActorType;
  actorId: number | null;
  targetType: TargetType | null;
  targetId: number | null;
  metadata: unknown;
}

type SessionWithStation = Session & { station_name: string | null };

function usedMs(s: Session, now: number): number {
  if (s.started_at === null) return 0;
  if (s.status === 'active' && s.ends_at !== null) return Math.max(0, s.allotted_ms - Math.max(0, s.ends_at - now));
  return Math.max(0, s.allotted_ms - (s.remaining_ms ?? 0));
}

function toExportedSession(s: SessionWithStation, now: number): ExportedSession {
  return {
    id: s.id,
    status: s.status,
    endReason: s.end_reason,
    createdAt: s.created_at,
    codeExpiresAt: s.code_expires_at,
    startedAt: s.started_at,
    endedAt: s.ended_at,
    station: s.station_id === null ? null : { id: s.station_id, name: s.station_name ?? '' },
    stationIp: s.station_ip,
    allottedMs: s.allotted_ms,
    usedMs: usedMs(s, now),
  };
}

async function sessionsOf(db: DbOrTx, userId: number): Promise<SessionWithStation[]> {
  return db
    .selectFrom('sessions')
    .leftJoin('stations', 'stations.id', 'sessions.station_id')
    .selectAll('sessions')
    .select('stations.name as station_name')
    .where('sessions.user_id', '=', userId)
    .orderBy('sessions.created_at')
    .orderBy('sessions.id')
    .execute();
}

function toExportedEvent(r: AuditEventRow): ExportedAuditEvent {
  return {
    id: r.id,
    occurredAt: r.occurred_at,
    action: r.action,
    actorType: r.actor_type,
    actorId: r.actor_id,
    targetType: r.target_type,
    targetId: r.target_id,
    metadata: JSON.parse(r.metadata) as unknown,
  };
}

/** Events about the person, their sessions, or done by them as a visitor. */
async function auditEventsOf(db: DbOrTx, userId: number, sessionIds: number[]): Promise<ExportedAuditEvent[]> {
  const base = () => db.selectFrom('audit_events').selectAll();
  const batches: AuditEventRow[][] = [
    await base().where('target_type', '=', 'user').where('target_id', '=', userId).execute(),
    await base().where('actor_type', '=', 'visitor').where('actor_id', '=', userId).execute(),
  ];
  for (let i = 0; i < sessionIds.length; i += 500) {
    batches.push(await base().where('target_type', '=', 'session').where('target_id', 'in', sessionIds.slice(i, i + 500)).execute());
  }
  const byId = new Map(batches.flat().map((r) => [r.id, r]));
  return [...byId.values()].sort((a, b) => a.id - b.id).map(toExportedEvent);
}

async function exportedPhoto(ctx: UsersContext, user: User): Promise<ExportedPhoto | null> {
  if (user.photo_key === null || user.photo_mime === null) return null;
  let bytes: Uint8Array | undefined;
  try {
    bytes = await ctx.photos.get(user.photo_key);
  } catch (error) {
    throw photoStorageFailure(error);
  }
  if (bytes === undefined) return { mime: user.photo_mime, width: null, height: null, sizeBytes: 0, base64: null };
  const probe = probeImage(bytes);
  return {
    mime: user.photo_mime,
    width: probe.ok ? probe.image.width : null,
    height: probe.ok ? probe.image.height : null,
    sizeBytes: bytes.length,
    base64: Buffer.from(bytes).toString('base64'),
  };
}

/**
 * Builds the export and records `user.exported` in the same transaction, so
 * the audit trail shows exactly what was handed over (counts, not contents).
 * Anonymised visitors can be exported (what remains: connection records);
 * deleted ones are not found.
 */
export async function exportUserData(ctx: UsersContext, actor: Actor, id: number): Promise<UserExport> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const user = await loadVisibleUser(trx, id);
    const sessions = await sessionsOf(trx, id);
    const auditEvents = await auditEventsOf(
      trx,
      id,
      sessions.map((s) => s.id),
    );
    const photo = await exportedPhoto(ctx, user);
    await auditUser(trx, ctx.clock, actor, 'user.exported', id, {
      sessions: sessions.length,
      auditEvents: auditEvents.length,
      photoIncluded: photo?.base64 != null,
    });
    return {
      format: 'epnbox.user-export',
      version: 1,
      exportedAt: now,
      timeZone: ctx.policy.timeZone,
      profile: toUserView(user, now, ctx.policy),
      photo,
      sessions: sessions.map((s) => toExportedSession(s, now)),
      auditEvents,
    };
  });
}
