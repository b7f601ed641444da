import { randomUUID } from 'node:crypto';
import type { Actor, AuditAction } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { epochToIso } from '../contract/common.ts';
import type { ServerToStation } from '../contract/ws-station.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import { suspendSession } from '../sessions/sessions-service.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { conflict, invalid, type DomainError } from '../shared/errors.ts';
import { liveSessionFor, requireStation } from '../stations/stations-repository.ts';

/** Where commands go: the station hub. */
export interface CommandSender {
  isConnected(stationId: number): boolean;
  sendCommand(stationId: number, message: Extract<ServerToStation, { commandId: string }>): boolean;
}

export type StationCommand = 'message' | 'lock' | 'reboot';

export interface CommandReceipt {
  commandId: string;
  stationId: number;
  command: StationCommand;
  sentAt: number;
  /** The active session the lock suspended (its time is kept); null otherwise. */
  suspendedSessionId: number | null;
}

export const MAX_MESSAGE_LENGTH = 500;

const ACTIONS: Record<StationCommand, AuditAction> = {
  message: 'station.message_sent',
  lock: 'station.lock_requested',
  reboot: 'station.reboot_requested',
};

export function stationNotConnected(stationId: number): DomainError {
  return conflict(
    'STATION_NOT_CONNECTED',
    "Ce poste n'est pas connecté au boîtier : la commande ne peut pas lui parvenir.",
    'This station is not connected to the box: the command cannot reach it.',
    { stationId },
  );
}

function rebootRefused(stationId: number, sessionId: number): DomainError {
  return conflict(
    'STATION_SESSION_RUNNING',
    `Une session (n° ${sessionId}) est en cours sur ce poste : terminez-la avant de le redémarrer.`,
    `A session (#${sessionId}) is running on this station: end it before rebooting.`,
    { stationId, sessionId, action: 'reboot' },
  );
}

/** Trimmed, 1–500 characters, no control characters but line breaks. */
export function normaliseMessageText(input: unknown): string {
  const text = typeof input === 'string' ? input.trim() : '';
  // eslint-disable-next-line no-control-regex
  if (text.length === 0 || text.length > MAX_MESSAGE_LENGTH || /[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) {
    throw invalid('STATION_MESSAGE_INVALID', `Message vide, trop long (${MAX_MESSAGE_LENGTH} caractères au plus) ou avec des caractères de contrôle.`, `Message empty, too long (at most ${MAX_MESSAGE_LENGTH} characters) or with control characters.`, [
      { field: 'text', fr: `1 à ${MAX_MESSAGE_LENGTH} caractères`, en: `1 to ${MAX_MESSAGE_LENGTH} characters` },
    ]);
  }
  return text;
}

/** An operator's text shown on the station; audited with its length only (it may name the visitor). */
export async function sendStationMessage(ctx: DomainContext, sender: CommandSender, actor: Actor, stationId: number, text: unknown): Promise<CommandReceipt> {
  const clean = normaliseMessageText(text);
  return issueCommand(ctx, sender, actor, stationId, 'message', { length: clean.length }, (commandId, serverTime) => ({ v: 1, type: 'message', commandId, text: clean, serverTime }));
}

/**
 * Locks the station's screen now. An active session there is suspended
 * first (session.suspended, its time kept for a resume), so the visitor
 * loses nothing and the countdown stops with the screen.
 */
export async function lockStation(ctx: DomainContext, sender: CommandSender, actor: Actor, stationId: number): Promise<CommandReceipt> {
  await checkReachable(ctx, sender, stationId);
  const live = await reading(() => liveSessionFor(ctx.db, stationId, ctx.clock.now()));
  let suspendedSessionId: number | null = null;
  if (live?.status === 'active') {
    await suspendSession(ctx, live.id, actor);
    suspendedSessionId = live.id;
  }
  const receipt = await issueCommand(ctx, sender, actor, stationId, 'lock', { suspendedSessionId }, (commandId, serverTime) => ({ v: 1, type: 'lock_now', commandId, serverTime }));
  return { ...receipt, suspendedSessionId };
}

/** Asks the agent to reboot; refused while a session runs there (end it first, as for maintenance). */
export async function requestReboot(ctx: DomainContext, sender: CommandSender, actor: Actor, stationId: number): Promise<CommandReceipt> {
  await checkReachable(ctx, sender, stationId);
  const live = await reading(() => liveSessionFor(ctx.db, stationId, ctx.clock.now()));
  if (live !== null) throw rebootRefused(stationId, live.id);
  return issueCommand(ctx, sender, actor, stationId, 'reboot', {}, (commandId, serverTime) => ({ v: 1, type: 'reboot', commandId, serverTime }));
}

async function checkReachable(ctx: DomainContext, sender: CommandSender, stationId: number): Promise<void> {
  await reading(() => requireStation(ctx.db, stationId));
  if (!sender.isConnected(stationId)) throw stationNotConnected(stationId);
}

/**
 * The request is audited first, then sent: a command never reaches a
 * station without its trace. If the station drops in between, the caller
 * hears STATION_NOT_CONNECTED and the trail shows a request never acked.
 */
async function issueCommand(
  ctx: DomainContext,
  sender: CommandSender,
  actor: Actor,
  stationId: number,
  command: StationCommand,
  metadata: Record<string, unknown>,
  build: (commandId: string, serverTime: string) => Extract<ServerToStation, { commandId: string }>,
): Promise<CommandReceipt> {
  await checkReachable(ctx, sender, stationId);
  const commandId = randomUUID();
  const sentAt = ctx.clock.now();
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, { actor, action: ACTIONS[command], target: { type: 'station', id: stationId }, metadata: { commandId, ...metadata } }),
  );
  if (!sender.sendCommand(stationId, build(commandId, epochToIso(sentAt)!))) throw stationNotConnected(stationId);
  return { commandId, stationId, command, sentAt, suspendedSessionId: null };
}
