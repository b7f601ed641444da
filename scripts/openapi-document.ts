import { FakeClock } from '../api/shared/clock.ts';
import { defaultPolicy } from '../api/shared/domain-context.ts';
import { createTestDb } from '../api/testing/test-db.ts';
import { resolveConfig } from '../appliance/config/load-config.ts';
import { buildApp } from '../appliance/http/build-app.ts';

/**
 * The OpenAPI document as the app generates it from the route schemas. Built
 * on an in-memory database: the document depends on the code only.
 */
export async function openApiDocument(): Promise<string> {
  const db = await createTestDb();
  const app = await buildApp({
    ctx: { db, clock: new FakeClock(), policy: defaultPolicy },
    config: resolveConfig({}),
    version: 'docs',
    tokenKey: Buffer.alloc(32),
  });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await db.destroy();
  }
}
