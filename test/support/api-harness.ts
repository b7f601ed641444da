import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { systemActor } from '../../api/audit/audit-actions.ts';
import type { Database } from '../../api/db/schema.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { createTestDb, createTestDbFile } from '../../api/testing/test-db.ts';
import { MemoryPhotoStore } from '../../api/users/memory-photo-store.ts';
import type { PhotoStore } from '../../api/users/photo-store.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';

export const ADMIN_PASSWORD = 'admin password long enough';
export const OPERATOR_PASSWORD = 'operator password long enough';

export interface ApiHarness {
  app: FastifyInstance;
  db: Kysely<Database>;
  clock: FakeClock;
  ctx: DomainContext;
  /** The ID photo store the app uses (a MemoryPhotoStore unless one was passed). */
  photos: PhotoStore;
  /** Bearer header for a fresh login. */
  bearer(username: 'admin' | 'marie'): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * The real app over a real in-memory SQLite, with an admin and an operator; photos in memory unless `photos` is given.
 * `listWorker`: a SQLite file instead, and list pages read on the list worker as the appliance does (api/lists).
 */
export async function createApiHarness(options: { photos?: PhotoStore; listWorker?: boolean } = {}): Promise<ApiHarness> {
  const file = options.listWorker ? await createTestDbFile() : undefined;
  const db = file?.db ?? (await createTestDb());
  const clock = new FakeClock();
  const ctx: DomainContext = { db, clock, policy: defaultPolicy };
  await createOperator(ctx, systemActor, { username: 'admin', displayName: 'Admin', role: 'admin', password: ADMIN_PASSWORD, mustChangePassword: false });
  await createOperator(ctx, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: OPERATOR_PASSWORD, mustChangePassword: false });
  const photos = options.photos ?? new MemoryPhotoStore(clock);
  const app = await buildApp({ ctx, config: resolveConfig({}), version: 'test', tokenKey: Buffer.alloc(32, 1), photos, ...(file && { lists: { databasePath: file.path } }) });
  return {
    app,
    db,
    clock,
    ctx,
    photos,
    bearer: async (username) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: username === 'admin' ? ADMIN_PASSWORD : OPERATOR_PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return { authorization: `Bearer ${res.json<{ accessToken: string }>().accessToken}` };
    },
    close: async () => {
      await app.close();
      if (file) await file.cleanup();
      else await db.destroy();
    },
  };
}
