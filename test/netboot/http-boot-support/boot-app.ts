import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { systemActor } from '../../../api/audit/audit-actions.ts';
import type { Database } from '../../../api/db/schema.ts';
import { createOperator } from '../../../api/operators/operators-service.ts';
import { FakeClock } from '../../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../../api/shared/domain-context.ts';
import { createTestDb } from '../../../api/testing/test-db.ts';
import { MemoryPhotoStore } from '../../../api/users/memory-photo-store.ts';
import { resolveConfig } from '../../../appliance/config/load-config.ts';
import { buildApp } from '../../../appliance/http/build-app.ts';
import { ImageCatalogue } from '../../../provisioning/boot/image-catalogue.ts';

const ADMIN_PASSWORD = 'admin password long enough';
const OPERATOR_PASSWORD = 'operator password long enough';

export interface BootApp {
  app: FastifyInstance;
  db: Kysely<Database>;
  clock: FakeClock;
  ctx: DomainContext;
  dataDir: string;
  imagesDir: string;
  catalogue: ImageCatalogue;
  bearer(username: 'admin' | 'marie'): Promise<{ authorization: string }>;
  /** Writes `<imagesDir>/<name>/<version>/` with the given files (default: a small kernel, initrd and squashfs), sealed unless told. */
  image(name: string, version: string, options?: { files?: Record<string, string | Buffer>; seal?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface BootAppOptions {
  /** Config file content (merged over { dataDir, netboot.enabled: true }). */
  config?: Record<string, unknown>;
  /** Replace the database the services use (storage-failure tests); logins still use the real one. */
  wrapDb?: (db: Kysely<Database>) => Kysely<Database>;
}

export function defaultImageFiles(name: string, version: string): Record<string, string> {
  return {
    vmlinuz: `kernel of ${name} ${version}\n`,
    'initrd.img': `initrd of ${name} ${version}\n`,
    'filesystem.squashfs': `root file system of ${name} ${version}\n`.repeat(100),
  };
}

/** The real appliance app (netboot on by default) over in-memory SQLite, a temp data directory, an admin and an operator. */
export async function createBootApp(options: BootAppOptions = {}): Promise<BootApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'epnbox-http-boot-'));
  const file = { dataDir, ...options.config, netboot: { enabled: true, ...(options.config?.netboot as object | undefined) } };
  const config = resolveConfig({ file });
  const db = await createTestDb();
  const clock = new FakeClock();
  // As the appliance builds it (domainPolicyFrom): the enrollment policy comes from the configuration.
  const base: DomainContext = { db, clock, policy: { ...defaultPolicy, autoApprove: config.stations.autoApprove } };
  await createOperator(base, systemActor, { username: 'admin', displayName: 'Admin', role: 'admin', password: ADMIN_PASSWORD, mustChangePassword: false });
  await createOperator(base, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: OPERATOR_PASSWORD, mustChangePassword: false });
  const ctx: DomainContext = options.wrapDb ? { ...base, db: options.wrapDb(db) } : base;
  const imagesDir = join(dataDir, 'images');
  const catalogue = new ImageCatalogue(imagesDir);
  const app = await buildApp({ ctx, config, version: 'test', tokenKey: Buffer.alloc(32, 1), photos: new MemoryPhotoStore(clock) });
  return {
    app,
    db,
    clock,
    ctx,
    dataDir,
    imagesDir,
    catalogue,
    bearer: async (username) => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: username === 'admin' ? ADMIN_PASSWORD : OPERATOR_PASSWORD } });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return { authorization: `Bearer ${res.json<{ accessToken: string }>().accessToken}` };
    },
    image: async (name, version, opts = {}) => {
      const dir = join(imagesDir, name, version);
      mkdirSync(dir, { recursive: true });
      for (const [f, content] of Object.entries(opts.files ?? defaultImageFiles(name, version))) writeFileSync(join(dir, f), content);
      if (opts.seal !== false) await catalogue.seal(name, version, clock.now());
    },
    close: async () => {
      await app.close();
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
