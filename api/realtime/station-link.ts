import { epochToIso } from '../contract/common.ts';
import { MAX_MESSAGE_BYTES, WS_CLOSE } from '../contract/ws-common.ts';
import { HEARTBEAT_INTERVAL_SECONDS, STATION_TO_SERVER, type ServerToStation, type StationToServer } from '../contract/ws-station.ts';
import type { AttemptLimiter } from '../auth/attempt-limiter.ts';
import { reading } from '../db/transaction.ts';
import { startTypedCode, validateCodeFor } from '../sessions/code-attempts.ts';
import { findRunningSessionOnStation } from '../sessions/sessions-repository.ts';
import { endSessionOnStation } from '../sessions/station-own-session.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { recordHeartbeat } from '../stations/station-heartbeat.ts';
import type { JsonSocket } from './json-socket.ts';
import type { RealtimeLog } from './realtime-log.ts';
import { stationSessionOf } from './station-messages.ts';
import { replayStationEvents } from './station-replay.ts';
import { createDecoder } from './ws-codec.ts';
import { errorReply, problemReply } from './ws-errors.ts';

type In<T extends StationToServer['type']> = Extract<StationToServer, { type: T }>;

/** What a station link needs from the rest of the realtime layer. */
export interface StationLinkDeps {
  ctx: DomainContext;
  /** The per-station wrong-code limit, shared with the REST routes. */
  codeLimiter: AttemptLimiter;
  warningSeconds: readonly number[];
  log: RealtimeLog;
  /** A heartbeat (or the connection itself) was recorded: restart the silence timer. */
  heard(stationId: number): void;
  /** The agent said who it is (hello). */
  introduced(link: StationLink): void;
  acked(stationId: number, commandId: string): void;
}

/** RFC 6455 §7.4.1: the server met a condition that kept it from fulfilling the request. */
const CLOSE_INTERNAL_ERROR = 1011;

const decode = createDecoder<StationToServer>(STATION_TO_SERVER, MAX_MESSAGE_BYTES);

/**
 * One station's live connection: its greeting, then each message in order.
 * A message that cannot be read or handled gets an `error` reply; nothing a
 * station sends closes the connection or reaches the process.
 */
export class StationLink {
  agentVersion: string | null = null;
  bootId: string | null = null;

  constructor(
    readonly stationId: number,
    readonly io: JsonSocket<ServerToStation>,
    /** The token the upgrade was authenticated with, to re-check when credentials change. */
    readonly credential: string,
    private readonly deps: StationLinkDeps,
  ) {}

  /** Records the connection as a heartbeat, then greets with the time, the station's state and its session. */
  greet(): Promise<void> {
    return this.io.serial(async () => {
      try {
        await this.sendGreeting();
      } catch (error) {
        // The station was deleted after the upgrade was authenticated, or the database failed: nothing to run on.
        const gone = error instanceof DomainError && error.category === 'not_found';
        if (!gone) this.deps.log.error({ err: error, stationId: this.stationId }, 'station channel: greeting failed');
        this.io.close(gone ? WS_CLOSE.revoked : CLOSE_INTERNAL_ERROR, gone ? 'station removed' : 'internal error');
      }
    });
  }

  private async sendGreeting(): Promise<void> {
    const { ctx } = this.deps;
    const beat = await recordHeartbeat(ctx, this.stationId, {});
    this.deps.heard(this.stationId);
    const running = await reading(() => findRunningSessionOnStation(ctx.db, this.stationId));
    const now = ctx.clock.now();
    this.io.open({
      v: 1,
      type: 'connection_established',
      serverTime: epochToIso(now)!,
      station: { id: beat.station.id, name: beat.station.name, state: beat.station.state, stateReason: beat.station.stateReason },
      session: running === undefined ? null : stationSessionOf(running, now),
      heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
      heartbeatTimeoutSeconds: Math.floor(ctx.policy.heartbeatTimeoutMs / 1000),
      warningSeconds: [...this.deps.warningSeconds],
    });
  }

  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const decoded = decode(data, isBinary);
    if (!decoded.ok) {
      const reply = problemReply(decoded.problem);
      void this.io.serial(async () => void this.io.reply(reply));
      return;
    }
    const message = decoded.message;
    void this.io.serial(async () => {
      try {
        await this.handle(message);
      } catch (error) {
        this.io.reply(errorReply(error, { type: message.type, requestId: 'requestId' in message ? message.requestId : undefined }, this.deps.log));
      }
    });
  }

  private async handle(message: StationToServer): Promise<void> {
    switch (message.type) {
      case 'hello':
        return this.hello(message);
      case 'heartbeat':
        return this.heartbeat(message);
      case 'validate_code':
        return this.validate(message);
      case 'start_session':
        // Success reaches the agent as session_started, from the committed event.
        await startTypedCode(this.deps.ctx, this.deps.codeLimiter, this.stationId, message.code);
        return;
      case 'end_session':
        // Success reaches the agent as ended.
        await endSessionOnStation(this.deps.ctx, message.sessionId, this.stationId);
        return;
      case 'ack':
        this.deps.acked(this.stationId, message.commandId);
        return;
      case 'replay':
        return this.replay(message);
    }
  }

  private async hello(message: In<'hello'>): Promise<void> {
    const previousBoot = this.bootId;
    this.agentVersion = message.agentVersion;
    this.bootId = message.bootId;
    await recordHeartbeat(this.deps.ctx, this.stationId, { agentVersion: message.agentVersion });
    this.deps.heard(this.stationId);
    if (previousBoot !== null && previousBoot !== message.bootId) this.deps.log.info({ stationId: this.stationId }, 'station rebooted on a live connection');
    this.deps.introduced(this);
  }

  private async heartbeat(message: In<'heartbeat'>): Promise<void> {
    const result = await recordHeartbeat(this.deps.ctx, this.stationId, message.ip === undefined ? {} : { ip: message.ip });
    this.deps.heard(this.stationId);
    if (result.ipConflictWith !== null) {
      this.deps.log.warn({ stationId: this.stationId, ip: message.ip, ipConflictWith: result.ipConflictWith }, 'station reports an IP address held by another station; address not taken over');
    }
    this.deps.log.debug({ stationId: this.stationId, uptimeSeconds: message.uptimeSeconds, load: message.load }, 'heartbeat');
    this.io.reply({ v: 1, type: 'heartbeat_ack', serverTime: epochToIso(this.deps.ctx.clock.now())!, state: result.station.state, requestId: message.requestId ?? null });
  }

  private async validate(message: In<'validate_code'>): Promise<void> {
    const view = await validateCodeFor(this.deps.ctx, this.deps.codeLimiter, { kind: 'station', stationId: this.stationId }, { code: message.code });
    this.io.reply({
      v: 1,
      type: 'code_valid',
      sessionId: view.id,
      allottedSeconds: Math.ceil(view.allottedMs / 1000),
      remainingSeconds: Math.ceil(view.remainingMs / 1000),
      serverTime: epochToIso(view.computedAt)!,
      requestId: message.requestId ?? null,
    });
  }

  private async replay(message: In<'replay'>): Promise<void> {
    const results = await replayStationEvents(this.deps.ctx, this.stationId, message.events);
    this.io.reply({ v: 1, type: 'replay_result', requestId: message.requestId ?? null, results });
  }
}
