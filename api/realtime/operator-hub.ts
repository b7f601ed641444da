import { principalForSession, type AuthContext } from '../auth/auth-service.ts';
import type { Principal } from '../auth/principal.ts';
import { epochToIso } from '../contract/common.ts';
import { MAX_MESSAGE_BYTES, WS_CLOSE } from '../contract/ws-common.ts';
import { OPERATOR_TO_SERVER, type OperatorToServer, type ServerToOperator } from '../contract/ws-operator.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { JsonSocket } from './json-socket.ts';
import { batchDeltas, loadSnapshot } from './operator-messages.ts';
import type { FeedBatch, FeedConsumer, RealtimeFeed } from './realtime-feed.ts';
import type { RealtimeLog } from './realtime-log.ts';
import type { StationHub, StationHubObserver } from './station-hub.ts';
import type { TimerHandle, Timers } from './timers.ts';
import { createDecoder } from './ws-codec.ts';
import { problemReply } from './ws-errors.ts';

type OperatorPrincipal = Extract<Principal, { kind: 'operator' }>;

interface OperatorLink {
  io: JsonSocket<ServerToOperator>;
  principal: OperatorPrincipal;
  /** Batches read before the snapshot's read began are older than it: not sent. Null once greeted. */
  snapshotFrom: number | null;
}

/** Events after which every open login is checked again (logout, password or role change, stolen refresh token). */
const AUTH_ACTIONS = new Set(['auth.logout', 'operator.updated', 'operator.password_changed', 'auth.token_reuse_detected']);
/** Logins also end by themselves (12 h); open channels are checked this often. */
const RECHECK_MS = 60_000;

const decode = createDecoder<OperatorToServer>(OPERATOR_TO_SERVER, MAX_MESSAGE_BYTES);

/**
 * The operators' live room: each connection opens with a snapshot, then
 * gets the deltas of every committed change (audit events, sessions,
 * stations) plus station connections and command acks. A channel whose
 * login ended (logout, expiry, password reset) is closed with `revoked`.
 */
export class OperatorHub implements FeedConsumer, StationHubObserver {
  private readonly links = new Set<OperatorLink>();
  private recheckTimer: TimerHandle | null = null;
  private readonly work = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly ctx: DomainContext,
    private readonly auth: AuthContext,
    private readonly feed: RealtimeFeed,
    private readonly stations: StationHub,
    private readonly timers: Timers,
    private readonly log: RealtimeLog,
  ) {}

  attach(io: JsonSocket<ServerToOperator>, principal: OperatorPrincipal): { receive: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void; close: () => void } {
    const link: OperatorLink = { io, principal, snapshotFrom: this.feed.startedReads };
    const handle = { receive: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => this.receive(link, data, isBinary), close: () => void this.links.delete(link) };
    if (this.stopped) {
      io.close(WS_CLOSE.goingAway, 'server shutting down');
      return handle;
    }
    this.links.add(link);
    this.armRecheck();
    void io.serial(() => this.greet(link));
    return handle;
  }

  active(): boolean {
    return this.links.size > 0;
  }

  wantsStations(): 'all' | false {
    return this.links.size > 0 ? 'all' : false;
  }

  deliver(batch: FeedBatch): void {
    const deltas = batchDeltas(batch);
    for (const link of this.links) {
      if (link.snapshotFrom !== null && batch.seq <= link.snapshotFrom) continue;
      for (const message of deltas) link.io.push(message);
    }
    if (batch.events.some((e) => AUTH_ACTIONS.has(e.action))) this.track(this.recheckLogins());
  }

  resync(): void {
    // A lost batch: give every panel a fresh snapshot.
    for (const link of this.links) {
      link.snapshotFrom = this.feed.startedReads;
      void link.io.serial(() => this.greet(link, true));
    }
  }

  connection(stationId: number, connected: boolean, agentVersion: string | null): void {
    this.broadcast({ v: 1, type: 'station_connection', stationId, connected, agentVersion, serverTime: this.now() });
  }

  acked(stationId: number, commandId: string): void {
    this.broadcast({ v: 1, type: 'command_acked', stationId, commandId, serverTime: this.now() });
  }

  stop(): void {
    this.stopped = true;
    for (const link of this.links) link.io.close(WS_CLOSE.goingAway, 'server shutting down');
    this.links.clear();
    this.timers.cancel(this.recheckTimer);
    this.recheckTimer = null;
  }

  /** Work started by a timer or a batch is still running. */
  get busy(): boolean {
    return this.work.size > 0;
  }

  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private async greet(link: OperatorLink, again = false): Promise<void> {
    try {
      const snapshot = await loadSnapshot(this.ctx, this.stations.connectedIds());
      const last = snapshot.lastEventId ?? 0;
      // Deltas held meanwhile: audit events already counted in the snapshot are dropped.
      link.io.filterHeld((m) => m.type !== 'audit_event' || m.event.id > last);
      if (again) link.io.reply(snapshot);
      else link.io.open(snapshot);
      link.snapshotFrom = null;
    } catch (error) {
      this.log.error({ err: error }, 'operator channel: snapshot failed');
      link.io.close(1011, 'snapshot failed');
    }
  }

  private receive(link: OperatorLink, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const decoded = decode(data, isBinary);
    // The panel only pings; what it cannot send correctly gets an error and the channel stays.
    const reply: ServerToOperator = decoded.ok ? { v: 1, type: 'pong', requestId: decoded.message.requestId ?? null, serverTime: this.now() } : problemReply(decoded.problem);
    void link.io.serial(async () => void link.io.reply(reply));
  }

  private broadcast(message: ServerToOperator): void {
    for (const link of this.links) link.io.push(message);
  }

  private armRecheck(): void {
    if (this.recheckTimer !== null || this.stopped || this.links.size === 0) return;
    this.recheckTimer = this.timers.at(this.ctx.clock.now() + RECHECK_MS, () => {
      this.recheckTimer = null;
      this.track(this.recheckLogins().finally(() => this.armRecheck()));
    });
  }

  private async recheckLogins(): Promise<void> {
    for (const link of [...this.links]) {
      const { sessionId, via } = link.principal;
      const now = await principalForSession(this.auth, sessionId, via).catch(() => undefined);
      if (now === undefined) continue; // storage trouble: check again later rather than cut a panel off
      if (now === null || now.kind !== 'operator' || now.mustChangePassword) {
        this.links.delete(link);
        link.io.close(WS_CLOSE.revoked, 'login ended');
      }
    }
  }

  private now(): string {
    return epochToIso(this.ctx.clock.now())!;
  }

  private track(promise: Promise<unknown>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise)).catch(() => {});
  }
}
