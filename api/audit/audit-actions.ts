/**
 * The closed set of audit actions. The seed's 17 log types are covered
 * (user created/updated/deleted, consent revoked, code generated, session
 * started/suspended/resumed/time added/terminated/expired, station status,
 * login, login failed, logout, settings changed, error) and extended.
 */
export const AUDIT_ACTIONS = [
  // visitors
  'user.created',
  'user.updated',
  'user.deleted',
  'user.consent_given',
  'user.consent_revoked',
  'user.photo_updated',
  'user.exported',
  // access codes and sessions
  'session.code_generated',
  'session.code_expired',
  'session.cancelled',
  'session.started',
  'session.suspended',
  'session.resumed',
  'session.time_added',
  'session.time_removed',
  'session.ended',
  'session.expired',
  'session.code_rejected',
  'session.binding_changed',
  // stations
  'station.created',
  'station.updated',
  'station.deleted',
  'station.state_changed',
  'station.enrolled',
  'station.approved',
  'station.went_offline',
  'station.came_online',
  'station.locked_out',
  'station.message_sent',
  'station.lock_requested',
  'station.reboot_requested',
  'station.enroll_refused',
  // network boot (provisioning/boot)
  'boot.profile_created',
  'boot.profile_updated',
  'boot.profile_deleted',
  'boot.profile_switched',
  'boot.profile_rolled_back',
  'boot.default_changed',
  'boot.group_created',
  'boot.group_updated',
  'boot.group_deleted',
  'boot.station_changed',
  'boot.image_sealed',
  'boot.image_deleted',
  // operators and auth
  'operator.created',
  'operator.updated',
  'operator.password_changed',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.token_reuse_detected',
  // administration
  'settings.changed',
  'audit.verified',
  'audit.exported',
  'audit.archived',
  'data.purged',
  'data.exported',
  'system.started',
  'system.error',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const ACTOR_TYPES = ['operator', 'station', 'system', 'visitor'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const TARGET_TYPES = ['user', 'station', 'session', 'operator', 'settings', 'audit', 'system', 'boot_profile', 'boot_group', 'boot_image'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Who did it. `system` covers schedulers and the appliance itself. */
export interface Actor {
  type: ActorType;
  id: number | null;
}

export const systemActor: Actor = { type: 'system', id: null };
export const operatorActor = (id: number): Actor => ({ type: 'operator', id });
export const stationActor = (id: number): Actor => ({ type: 'station', id });

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
