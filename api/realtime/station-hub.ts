import type { AuditEventRow } from '../audit/audit-table.ts';
import { principalForStationToken } from '../auth/auth-service.ts';
import { epochToIso } from '../contract/common.ts';
import { WS_CLOSE } from '../contract/ws-common.ts';
import type { ServerToStation } from '../contract/ws-station.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { markSilentStationsOffline } from '../stations/station-heartbeat.ts';
import type { DeadlineWarning } from './deadline-scheduler.ts';
import type { FeedBatch, FeedConsumer } from './realtime-feed.ts';
import type { RealtimeLog } from './realtime-log.ts';
import type { StationLink } from './station-link.ts';
import { sessionMessage, warningMessage } from './station-messages.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** What the operators hear about stations' connections. */
export interface StationHubObserver {
  connection(stationId: number, connected: boolean, agentVersion: string | null): void;
  acked(stationId: number, commandId: string): void;
}

/** Station events that change what the station shows on its lock screen. */
const STATE_ACTIONS = new Set(['station.state_changed', 'station.approved', 'station.went_offline', 'station.came_online']);

/**
 * The live station connections: at most one per station (a new one replaces
 * the old, closed with `replaced`), what reaches them from committed events
 * and the deadline scheduler, and each station's silence timer: a station
 * not heard from within the heartbeat timeout is disconnected and marked
 * offline (station.went_offline) at that instant, not at the next sweep.
 */
export class StationHub implements FeedConsumer {
  private readonly links = new Map<number, StationLink>();
  private readonly silence = new Map<number, TimerHandle>();
  private readonly commands = new Map<string, number>();
  private readonly work = new Set<Promise<unknown>>();
  private stopped = false;
  observer: StationHubObserver = { connection: () => {}, acked: () => {} };

  constructor(
    private readonly ctx: DomainContext,
    private readonly timers: Timers,
    private readonly log: RealtimeLog,
  ) {}

  /** False when shutting down (the link is closed at once). */
  attach(link: StationLink): boolean {
    if (this.stopped) {
      link.io.close(WS_CLOSE.goingAway, 'server shutting down');
      return false;
    }
    const previous = this.links.get(link.stationId);
    this.links.set(link.stationId, link);
    if (previous) {
      this.log.info({ stationId: link.stationId }, 'station channel: a new connection replaces the previous one');
      previous.io.close(WS_CLOSE.replaced, 'replaced by a newer connection');
    }
    this.observer.connection(link.stationId, true, link.agentVersion);
    return true;
  }

  /** The socket closed; a replaced link leaves its successor in place. */
  detach(link: StationLink): void {
    if (this.links.get(link.stationId) !== link) return;
    this.links.delete(link.stationId);
    for (const [id, stationId] of this.commands) if (stationId === link.stationId) this.commands.delete(id);
    this.observer.connection(link.stationId, false, link.agentVersion);
  }

  introduced(link: StationLink): void {
    if (this.links.get(link.stationId) === link) this.observer.connection(link.stationId, true, link.agentVersion);
  }

  isConnected(stationId: number): boolean {
    return this.links.get(stationId)?.io.isOpen ?? false;
  }

  connectedIds(): number[] {
    return [...this.links.keys()].filter((id) => this.isConnected(id));
  }

  agentVersionOf(stationId: number): string | null {
    return this.links.get(stationId)?.agentVersion ?? null;
  }

  send(stationId: number, message: ServerToStation): boolean {
    return this.links.get(stationId)?.io.push(message) ?? false;
  }

  /** Sends an operator's command; its id waits for the agent's ack. */
  sendCommand(stationId: number, message: Extract<ServerToStation, { commandId: string }>): boolean {
    const sent = this.send(stationId, message);
    if (sent) this.commands.set(message.commandId, stationId);
    return sent;
  }

  acked(stationId: number, commandId: string): void {
    if (this.commands.get(commandId) !== stationId) return;
    this.commands.delete(commandId);
    this.observer.acked(stationId, commandId);
  }

  warn(warning: DeadlineWarning): void {
    if (warning.stationId !== null) this.send(warning.stationId, warningMessage(warning, this.ctx.clock.now()));
  }

  /** A heartbeat was recorded now: the station goes silent `heartbeatTimeoutMs` later unless heard again. */
  heard(stationId: number): void {
    if (this.stopped) return;
    this.timers.cancel(this.silence.get(stationId));
    // Online means "heard at most heartbeatTimeoutMs ago", so silence starts 1 ms after that.
    const at = this.ctx.clock.now() + this.ctx.policy.heartbeatTimeoutMs + 1;
    this.silence.set(stationId, this.timers.at(at, () => this.silent(stationId)));
  }

  active(): boolean {
    return this.links.size > 0;
  }

  wantsStations(): 'targets' | false {
    return this.links.size > 0 ? 'targets' : false;
  }

  deliver(batch: FeedBatch): void {
    for (const event of batch.events) {
      if (event.target_id === null) continue;
      if (event.target_type === 'session') this.deliverSession(event, batch);
      else if (event.target_type === 'station') this.deliverStation(event, batch);
    }
  }

  /** Closes every connection (server shutting down) and drops the silence timers. */
  stop(): void {
    this.stopped = true;
    for (const link of this.links.values()) link.io.close(WS_CLOSE.goingAway, 'server shutting down');
    for (const handle of this.silence.values()) this.timers.cancel(handle);
    this.silence.clear();
  }

  /** Work started by a timer or a batch is still running. */
  get busy(): boolean {
    return this.work.size > 0;
  }

  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private deliverSession(event: AuditEventRow, batch: FeedBatch): void {
    const row = batch.sessions.get(event.target_id!);
    if (!row || row.station_id === null || !this.links.has(row.station_id)) return;
    const message = sessionMessage(event, row, batch.now);
    if (message) this.send(row.station_id, message);
  }

  private deliverStation(event: AuditEventRow, batch: FeedBatch): void {
    const stationId = event.target_id!;
    const link = this.links.get(stationId);
    if (!link) return;
    const view = batch.stations.get(stationId);
    if (event.action === 'station.deleted' || view === null) {
      link.io.close(WS_CLOSE.revoked, 'station removed');
      return;
    }
    if (event.action === 'station.updated') this.track(this.recheckCredential(link));
    if (STATE_ACTIONS.has(event.action) && view) {
      this.send(stationId, { v: 1, type: 'station_state', state: view.state, stateReason: view.stateReason, serverTime: epochToIso(batch.now)! });
    }
  }

  /** A new token was issued (or the station changed): the connection's token must still be the valid one. */
  private async recheckCredential(link: StationLink): Promise<void> {
    const principal = await principalForStationToken(this.ctx, link.credential).catch(() => undefined);
    if (principal === null) link.io.close(WS_CLOSE.revoked, 'credential revoked');
  }

  private silent(stationId: number): void {
    this.silence.delete(stationId);
    const link = this.links.get(stationId);
    if (link) {
      this.log.warn({ stationId }, 'station channel: no heartbeat within the timeout; closing the connection');
      link.io.close(WS_CLOSE.heartbeatTimeout, 'no heartbeat');
    }
    this.track(
      markSilentStationsOffline(this.ctx, this.ctx.clock.now()).catch((error: unknown) => {
        this.log.error({ err: error, stationId }, 'station channel: could not mark a silent station offline');
      }),
    );
  }

  private track(promise: Promise<unknown>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise)).catch(() => {});
  }
}
