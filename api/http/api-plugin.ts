import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { AttemptLimiter } from '../auth/attempt-limiter.ts';
import type { AuthPolicy } from '../auth/auth-service.ts';
import { type BootAdmin, unavailableBootAdmin } from '../contract/boot-admin.ts';
import { unavailableJobs, type JobsControl } from '../jobs/jobs-control.ts';
import { InProcessListReader, type ListReader } from '../lists/list-reader.ts';
import { Realtime } from '../realtime/realtime.ts';
import type { Timers } from '../realtime/timers.ts';
import { realtimeRoutes, websocketSupport } from '../realtime/ws-routes.ts';
import { keepPolicyCurrent } from '../settings/live-policy.ts';
import { settingsDefaultsFrom } from '../settings/settings-policy.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { PhotoStore } from '../users/photo-store.ts';
import { UnconfiguredPhotoStore } from '../users/unconfigured-photo-store.ts';
import { requireAccessDeclarations } from './access.ts';
import { authPlugin } from './auth-plugin.ts';
import { installProblemHandlers } from './problem.ts';
import { securityHeaders } from './security-headers.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { bootProfileCatalogueRoutes } from './routes/boot-profile-catalogue-routes.ts';
import { bootProfileGroupRoutes } from './routes/boot-profile-group-routes.ts';
import { bootProfileRoutes } from './routes/boot-profile-routes.ts';
import { enrollRoutes } from './routes/enroll-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { reportRoutes } from './routes/report-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import { sessionRoutes } from './routes/sessions-routes.ts';
import { operatorRoutes } from './routes/operator-routes.ts';
import { statsRoutes } from './routes/stats-routes.ts';
import { settingsRoutes } from './routes/settings-routes.ts';
import { stationRoutes } from './routes/station-routes.ts';
import { stationActionRoutes } from './routes/station-actions-routes.ts';
import { stationCommandRoutes } from './routes/station-command-routes.ts';

export interface ApiOptions {
  ctx: DomainContext;
  auth: AuthPolicy;
  version: string;
  /** Cookie `Secure` flag: on when the panel is served over HTTPS. */
  secureCookie?: boolean;
  /**
   * Where visitors' ID photos are stored (the appliance passes a directory
   * store under dataDir). Undefined: photo uploads and downloads answer 503,
   * never a memory store that would lose photos at the next restart.
   */
  photos?: PhotoStore;
  /** Boot profiles and image catalogue (provisioning/boot, handed in by the appliance); undefined: those routes answer 503 BOOT_UNAVAILABLE. */
  boot?: BootAdmin;
  /** The appliance's job scheduler; undefined: the job routes answer 503 JOBS_UNAVAILABLE. */
  jobs?: JobsControl;
  /** Realtime settings: timers (tests pass FakeTimers; default real ones on ctx.clock) and warning seconds (default 300, 120, 60, 30, 10). */
  realtime?: { timers?: Timers; warningSeconds?: readonly number[] };
  /**
   * Where list pages are read (api/lists): the appliance hands in a WorkerListReader;
   * default: in the main thread, on ctx.db. Started here, closed with the app.
   */
  lists?: ListReader;
}

/**
 * The API: external plugins, then infrastructure (errors, auth), then feature
 * routes. Registered on the appliance's Fastify instance by buildApp.
 */
export async function registerApi(app: FastifyInstance, opts: ApiOptions): Promise<void> {
  installProblemHandlers(app);
  app.decorate('declaredRoutes', requireAccessDeclarations(app));
  await app.register(cookie);
  await app.register(securityHeaders);
  // Closed by default: the panel is served from the same origin.
  await app.register(cors, { origin: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'epnbox API', version: opts.version, description: 'Sessions, visitors, stations and audit of an EPN appliance.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Operator access token, or a station token (st_…).' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'epnbox_session', description: 'Panel login; state changes also need x-csrf-token.' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  // Admins' runtime settings overlay the configured policy; services read ctx.policy at call time.
  const configuredPolicy = opts.ctx.policy;
  const stopPolicy = await keepPolicyCurrent(opts.ctx, configuredPolicy);
  app.addHook('onClose', async () => stopPolicy());

  const authCtx = { db: opts.ctx.db, clock: opts.ctx.clock, auth: opts.auth };
  // Before the auth plugin: WebSocket clients may carry their credential in a subprotocol.
  const realtime = new Realtime({ ctx: opts.ctx, auth: authCtx, ...opts.realtime, log: app.log.child({ subsystem: 'realtime' }) });
  app.decorate('realtime', realtime);
  await app.register(websocketSupport, { realtime });
  await app.register(authPlugin, { ctx: authCtx });

  const lists = opts.lists ?? new InProcessListReader(opts.ctx);
  app.decorate('listReader', lists);
  app.addHook('onClose', async () => lists.close());

  const loginLimiter = new AttemptLimiter(opts.ctx.clock, { maxFailures: 5, windowMs: 60_000, baseLockoutMs: 30_000, maxLockoutMs: 15 * 60_000 });
  await app.register(authRoutes, { ctx: authCtx, loginLimiter, secureCookie: opts.secureCookie ?? false });
  await app.register(auditRoutes, { ctx: opts.ctx, lists });
  await app.register(userRoutes, { ctx: opts.ctx, photos: opts.photos ?? new UnconfiguredPhotoStore(), lists });
  await app.register(operatorRoutes, { ctx: opts.ctx });
  await app.register(sessionRoutes, { ctx: opts.ctx, codeLimiter: realtime.codeLimiter, lists });
  await app.register(jobRoutes, { jobs: opts.jobs ?? unavailableJobs });
  await app.register(reportRoutes, { ctx: opts.ctx });
  await app.register(statsRoutes, { ctx: opts.ctx });
  await app.register(settingsRoutes, { ctx: opts.ctx, defaults: settingsDefaultsFrom(configuredPolicy) });
  await app.register(stationRoutes, { ctx: opts.ctx, lists });
  await app.register(stationActionRoutes, { ctx: opts.ctx });
  await app.register(enrollRoutes, { ctx: opts.ctx });
  await app.register(bootProfileRoutes, { boot: opts.boot ?? unavailableBootAdmin });
  await app.register(bootProfileGroupRoutes, { boot: opts.boot ?? unavailableBootAdmin });
  await app.register(bootProfileCatalogueRoutes, { boot: opts.boot ?? unavailableBootAdmin });
  await app.register(stationCommandRoutes, { ctx: opts.ctx, sender: realtime.stations });
  await app.register(realtimeRoutes, { realtime });
  // Last, so that no failure after it leaves a worker thread without an app to close it.
  await lists.start();
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where list pages are read: `mode` says which (/api/health `listReads`). */
    listReader: ListReader;
  }
}
