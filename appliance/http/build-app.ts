import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { defaultAuthTimes } from '../../api/auth/auth-service.ts';
import { registerApi } from '../../api/http/api-plugin.ts';
import type { JobsControl } from '../../api/jobs/jobs-control.ts';
import { WorkerListReader } from '../../api/lists/worker-list-reader.ts';
import { parseWarningList } from '../../api/realtime/deadline-plan.ts';
import type { Timers } from '../../api/realtime/timers.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import { FsPhotoStore } from '../../api/users/fs-photo-store.ts';
import type { PhotoStore } from '../../api/users/photo-store.ts';
import type { AppConfig } from '../config/config-schema.ts';
import { createBootServices } from '../netboot/http-boot/boot-services.ts';
import { httpBootRoutes } from '../netboot/http-boot/http-boot-routes.ts';
import { NetbootHealth } from '../netboot/netboot-health.ts';
import { healthRoute } from './health-route.ts';

export interface BuildAppOptions {
  ctx: DomainContext;
  config: AppConfig;
  version: string;
  /** HMAC key for access and CSRF tokens (see appliance/secret-key.ts). */
  tokenKey: Buffer;
  /** Fastify logger settings; tests pass false. */
  logger?: FastifyServerOptions['logger'];
  /** ID photo storage; default: files in `<dataDir>/photos` (created at the first upload). */
  photos?: PhotoStore;
  /** The job scheduler (appliance/jobs/job-runner.ts); startAppliance passes it, tests may. */
  jobs?: JobsControl;
  /** Timers of the realtime layer (deadlines, warnings, silence); default real ones on ctx.clock, tests pass FakeTimers. */
  timers?: Timers;
  /** The netboot state /api/health reports; startAppliance moves it as DHCP/TFTP start. Default: starting when enabled (nothing starts them here), else off. */
  netboot?: NetbootHealth;
  /**
   * List pages read on a worker thread with its own read-only connection to this
   * SQLite file (the one ctx.db has open, in WAL mode; api/lists). Undefined: in the
   * main thread (tests on `:memory:`, `database.listWorker` off).
   */
  lists?: { databasePath: string; busyTimeoutMs?: number };
  /** A connection silent this long is closed; default IDLE_CONNECTION_MS (tests shorten it). */
  idleConnectionMs?: number;
}

/**
 * Fastify's keep-alive default. WebSockets clear the timer when they upgrade; the boot
 * images' sendfile path suspends it while the addon writes (http-boot/zero-copy.ts).
 */
const IDLE_CONNECTION_MS = 72_000;

/** Builds the HTTP face of the appliance. Never listens: the entry point does. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // An unknown field is a client bug to report (400), not something to drop silently.
    ajv: { customOptions: { removeAdditional: false } },
    // A connection with no traffic for this long is closed, between requests or during one.
    connectionTimeout: opts.idleConnectionMs ?? IDLE_CONNECTION_MS,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Node re-arms a keep-alive timer after every response: a new Timeout per request that
  // lives until the connection's next request, so under load each one outlived two young
  // collections and was promoted (with a list load, a third of what reached V8's old
  // generation, whose collections are the list lines' slow moments: docs/performance.md,
  // session 6). The connection timeout above (one timer per connection, refreshed by its
  // traffic) closes idle keep-alive connections instead. Set on the server: Fastify reads a
  // keepAliveTimeout of 0 as "use the default".
  app.server.keepAliveTimeout = 0;

  const photos = opts.photos ?? new FsPhotoStore(join(resolve(opts.config.dataDir), 'photos'));
  const boot = createBootServices(opts.ctx, opts.config);
  const netboot = opts.netboot ?? new NetbootHealth(opts.config.netboot.enabled);
  const realtime = { warningSeconds: parseWarningList(opts.config.realtime.warningSeconds), ...(opts.timers ? { timers: opts.timers } : {}) };
  const lists = opts.lists && new WorkerListReader(opts.ctx, { ...opts.lists, log: app.log.child({ subsystem: 'lists' }) });
  await registerApi(app, { ctx: opts.ctx, version: opts.version, auth: { tokenKey: opts.tokenKey, ...defaultAuthTimes }, photos, jobs: opts.jobs, realtime, boot: boot.admin, lists });
  await app.register(healthRoute, {
    db: opts.ctx.db,
    version: opts.version,
    now: () => opts.ctx.clock.now(),
    netboot: () => netboot.view,
    lists: () => app.listReader.mode,
  });
  // HTTP boot (iPXE scripts, image files) is public by necessity: served only when netboot is on.
  if (opts.config.netboot.enabled) await app.register(httpBootRoutes, boot.httpBoot);
  return app;
}
