import type { WebSocket } from 'ws';
import type { AttemptLimiter } from '../auth/attempt-limiter.ts';
import type { AuthContext } from '../auth/auth-service.ts';
import type { Principal } from '../auth/principal.ts';
import { SERVER_TO_OPERATOR, type ServerToOperator } from '../contract/ws-operator.ts';
import { SERVER_TO_STATION, type ServerToStation } from '../contract/ws-station.ts';
import { createCodeLimiter } from '../sessions/code-attempts.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DEFAULT_WARNING_SECONDS } from './deadline-plan.ts';
import { DeadlineScheduler } from './deadline-scheduler.ts';
import { JsonSocket } from './json-socket.ts';
import { OperatorHub } from './operator-hub.ts';
import { RealtimeFeed } from './realtime-feed.ts';
import { silentLog, type RealtimeLog } from './realtime-log.ts';
import { StationHub } from './station-hub.ts';
import { StationLink } from './station-link.ts';
import { ClockTimers, type Timers } from './timers.ts';
import { createEncoder } from './ws-codec.ts';

export interface RealtimeOptions {
  ctx: DomainContext;
  auth: AuthContext;
  /** Default: real timers on ctx.clock. Tests pass FakeTimers. */
  timers?: Timers;
  /** Seconds before a deadline at which stations are warned; default 300, 120, 60, 30, 10. */
  warningSeconds?: readonly number[];
  /** The per-station wrong-code limit; share it with the REST code routes. */
  codeLimiter?: AttemptLimiter;
  log?: RealtimeLog;
}

const encodeStation = createEncoder<ServerToStation>(SERVER_TO_STATION);
const encodeOperator = createEncoder<ServerToOperator>(SERVER_TO_OPERATOR);

/**
 * The realtime layer: the commit feed fans out to the deadline scheduler,
 * the station connections and the operator connections. The feed and the
 * hubs work as soon as connections arrive; the scheduler only once start()
 * ran (the appliance calls it after migrations), so an app built for a test
 * arms no deadline it was not asked to.
 */
export class Realtime {
  readonly feed: RealtimeFeed;
  readonly scheduler: DeadlineScheduler;
  readonly stations: StationHub;
  readonly operators: OperatorHub;
  readonly codeLimiter: AttemptLimiter;
  readonly timers: Timers;
  private readonly log: RealtimeLog;
  /** Message handlers still running, on open or closed connections. */
  private readonly handlers = new Set<Promise<void>>();
  private readonly track = (work: Promise<void>) => {
    this.handlers.add(work);
    void work.finally(() => this.handlers.delete(work));
  };

  constructor(private readonly opts: RealtimeOptions) {
    const { ctx } = opts;
    this.log = opts.log ?? silentLog;
    this.timers = opts.timers ?? new ClockTimers(ctx.clock);
    this.codeLimiter = opts.codeLimiter ?? createCodeLimiter(ctx.clock);
    this.feed = new RealtimeFeed(ctx, this.log);
    this.stations = new StationHub(ctx, this.timers, this.log);
    this.scheduler = new DeadlineScheduler({
      ctx,
      timers: this.timers,
      warningSeconds: opts.warningSeconds ?? DEFAULT_WARNING_SECONDS,
      onWarning: (w) => this.stations.warn(w),
      log: this.log,
    });
    this.operators = new OperatorHub(ctx, opts.auth, this.feed, this.stations, this.timers, this.log);
    this.stations.observer = this.operators;
    // Order matters: the scheduler re-arms before stations hear of a change.
    this.feed.add(this.scheduler);
    this.feed.add(this.stations);
    this.feed.add(this.operators);
    this.feed.start();
  }

  /** Rebuilds deadlines from the database: overdue sessions end now at their deadline, the others get their timers. */
  async start(): Promise<void> {
    await this.scheduler.start();
  }

  /** Closes every connection (1001) and drops every timer. */
  stop(): void {
    this.scheduler.stop();
    this.stations.stop();
    this.operators.stop();
    this.feed.stop();
  }

  /** Resolves when no message handler, batch, expiry or check started so far (or started by those) is still running. */
  async settled(): Promise<void> {
    for (let round = 0; round < 100; round += 1) {
      if (!this.feed.busy && !this.scheduler.busy && !this.stations.busy && !this.operators.busy && this.handlers.size === 0) return;
      await Promise.allSettled([...this.handlers]);
      await this.feed.settled();
      await this.scheduler.settled();
      await this.stations.settled();
      await this.operators.settled();
    }
  }

  /** A station agent's upgraded connection, authenticated with `credential`. */
  openStation(socket: WebSocket, stationId: number, credential: string): StationLink {
    const io = new JsonSocket<ServerToStation>(socket, encodeStation, this.log, this.track);
    const link = new StationLink(stationId, io, credential, {
      ctx: this.opts.ctx,
      codeLimiter: this.codeLimiter,
      warningSeconds: this.scheduler.warningSeconds,
      log: this.log,
      heard: (id) => this.stations.heard(id),
      introduced: (l) => this.stations.introduced(l),
      acked: (id, commandId) => this.stations.acked(id, commandId),
    });
    socket.on('message', (data, isBinary) => link.receive(data, isBinary));
    socket.on('close', () => this.stations.detach(link));
    if (this.stations.attach(link)) void link.greet();
    return link;
  }

  /** A panel's upgraded connection. */
  openOperator(socket: WebSocket, principal: Extract<Principal, { kind: 'operator' }>): void {
    const io = new JsonSocket<ServerToOperator>(socket, encodeOperator, this.log, this.track);
    const link = this.operators.attach(io, principal);
    socket.on('message', (data, isBinary) => link.receive(data, isBinary));
    socket.on('close', () => link.close());
  }
}
