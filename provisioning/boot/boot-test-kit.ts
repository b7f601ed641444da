// Test helpers for provisioning/boot (imported by *.test.ts only).
import { sql } from 'kysely';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import type { Db } from '../../api/db/schema.ts';
import { stationsTestContext } from '../../api/stations/station-fixtures.ts';
import type { FakeClock } from '../../api/shared/clock.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import { ImageCatalogue } from './image-catalogue.ts';

export const admin = operatorActor(1);

export interface BootTestKit {
  ctx: DomainContext & { clock: FakeClock };
  catalogue: ImageCatalogue;
  root: string;
  /** Creates `<root>/<name>/<version>/` with a kernel, an initrd and a squashfs (plus `extra`), sealed unless told. */
  image(name: string, version: string, options?: { seal?: boolean; extra?: Record<string, string> }): Promise<void>;
  close(): Promise<void>;
}

export function imageFiles(name: string, version: string): Record<string, string> {
  return {
    vmlinuz: `kernel of ${name} ${version}\n`,
    'initrd.img': `initrd of ${name} ${version}\n`,
    'filesystem.squashfs': `root file system of ${name} ${version}\n`.repeat(50),
  };
}

export async function bootTestKit(): Promise<BootTestKit> {
  const ctx = await stationsTestContext();
  const root = mkdtempSync(join(tmpdir(), 'epnbox-boot-'));
  const catalogue = new ImageCatalogue(root);
  return {
    ctx,
    catalogue,
    root,
    image: async (name, version, options = {}) => {
      const dir = join(root, name, version);
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries({ ...imageFiles(name, version), ...options.extra })) writeFileSync(join(dir, file), content);
      if (options.seal !== false) await catalogue.seal(name, version, ctx.clock.now());
    },
    close: async () => {
      await ctx.db.destroy();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function bootAudit(db: Db): Promise<Array<{ action: string; target_type: string | null; target_id: number | null; metadata: Record<string, unknown> }>> {
  const rows = await db.selectFrom('audit_events').select(['action', 'target_type', 'target_id', 'metadata']).where(sql<string>`action`, 'like', 'boot.%').orderBy('id').execute();
  return rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
}
