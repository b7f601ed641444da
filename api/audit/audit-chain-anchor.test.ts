import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAuditEvents, makeJobKit, type JobKit } from '../jobs/jobs-test-kit.ts';
import { chainAnchor, verifyAuditChainFromAnchor } from './audit-chain-anchor.ts';
import { GENESIS_HASH } from './audit-hash.ts';
import { verifyAuditChain } from './audit-verify.ts';

describe('chain anchor', () => {
  let kit: JobKit;
  beforeEach(async () => {
    kit = await makeJobKit();
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  it('starts at the genesis hash before any archive, so the check is exactly verifyAuditChain', async () => {
    expect(await chainAnchor(kit.db)).toEqual({ hash: GENESIS_HASH, archivedThroughId: 0 });
    expect(await verifyAuditChainFromAnchor(kit.db)).toEqual(await verifyAuditChain(kit.db));
    await addAuditEvents(kit, 7, 1000);
    const plain = await verifyAuditChain(kit.db, { pageSize: 3 });
    expect(plain).toMatchObject({ ok: true, checked: 7 });
    expect(await verifyAuditChainFromAnchor(kit.db, { pageSize: 3 })).toEqual(plain);
  });
});
