import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { appendAudit } from '../api/audit/audit-writer.ts';
import { systemActor } from '../api/audit/audit-actions.ts';
import { migrateToLatest } from '../api/db/migrator.ts';
import { openSqlite } from '../api/db/open-sqlite.ts';
import type { Database } from '../api/db/schema.ts';
import { bootstrapFirstAdmin } from '../api/operators/operators-service.ts';
import { systemClock, type Clock } from '../api/shared/clock.ts';
import type { DomainContext } from '../api/shared/domain-context.ts';
import type { AppConfig } from './config/config-schema.ts';
import { domainPolicyFrom } from './config/domain-policy.ts';
import { buildApp } from './http/build-app.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { NetbootHealth } from './netboot/netboot-health.ts';
import { startConfiguredNetboot } from './netboot/netboot-service.ts';
import { loadOrCreateSecretKey } from './secret-key.ts';
import { APPLIANCE_VERSION } from './version.ts';

export interface RunningAppliance {
  app: FastifyInstance;
  db: Kysely<Database>;
  /** Set on the very first start only: print it once, it is never stored in clear. */
  firstAdmin: { username: string; password: string } | null;
  url: string;
  close(): Promise<void>;
}

export function databasePath(config: AppConfig): string {
  return isAbsolute(config.database.file) ? config.database.file : join(resolve(config.dataDir), config.database.file);
}

/**
 * Wires storage -> domain -> HTTP and listens. A failed migration or a port in
 * use rejects, after closing what was opened.
 */
export async function startAppliance(config: AppConfig, options: { clock?: Clock; logger?: boolean | object } = {}): Promise<RunningAppliance> {
  mkdirSync(resolve(config.dataDir), { recursive: true, mode: 0o750 });
  const db = openSqlite({ path: databasePath(config), busyTimeoutMs: config.database.busyTimeoutMs });
  const clock = options.clock ?? systemClock;
  const ctx: DomainContext = { db, clock, policy: domainPolicyFrom(config) };
  let app: FastifyInstance | undefined;
  const netbootHealth = new NetbootHealth(config.netboot.enabled);
  try {
    await migrateToLatest(db);
    const firstAdmin = await bootstrapFirstAdmin(ctx);
    await appendAudit(db, clock, { actor: systemActor, action: 'system.started', metadata: { version: APPLIANCE_VERSION } });
    const tokenKey = loadOrCreateSecretKey(resolve(config.dataDir));
    const jobs = new JobRunner({ ctx, config });
    // List pages on a worker thread with its own read-only connection (api/lists), unless turned off.
    const lists = config.database.listWorker ? { databasePath: databasePath(config), busyTimeoutMs: config.database.busyTimeoutMs } : undefined;
    app = await buildApp({ ctx, config, version: APPLIANCE_VERSION, tokenKey, logger: options.logger ?? false, jobs, netboot: netbootHealth, lists });
    // Deadlines rebuilt from the database: overdue sessions end now at their deadline, the others get their timers.
    await app.realtime.start();
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    const running = app;
    // After listen: the boot URL handed to iPXE names the port actually bound.
    const netboot = await startConfiguredNetboot(config, ctx, running).catch((error: unknown) => {
      netbootHealth.failed(error);
      throw error;
    });
    if (netboot) netbootHealth.started(netboot.status);
    jobs.start(running.log.child({ subsystem: 'jobs' }));
    return {
      app: running,
      db,
      firstAdmin,
      url,
      close: async () => {
        await netboot?.close();
        netbootHealth.stopped();
        await running.close();
        // After HTTP (a manual run in a request has finished), before the database.
        await jobs.stop();
        await db.destroy();
      },
    };
  } catch (error) {
    await app?.close();
    await db.destroy();
    throw error;
  }
}
