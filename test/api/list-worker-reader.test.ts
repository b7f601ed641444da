// The list reader's glue around its worker thread, against a stand-in worker that can
// hang or die on demand (list-worker-stand-in.mjs): timeouts, deaths with reads in flight,
// restarts, a worker that cannot start, close. The real worker: list-worker.test.ts.
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../api/db/schema.ts';
import type { ListRequest } from '../../api/lists/list-pages.ts';
import { WorkerListReader } from '../../api/lists/worker-list-reader.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../../api/shared/domain-context.ts';
import { DomainError } from '../../api/shared/errors.ts';
import { createTestDb } from '../../api/testing/test-db.ts';

const STAND_IN = new URL('./list-worker-stand-in.mjs', import.meta.url);
const search = (word: string): ListRequest => ({ list: 'users', options: { search: word } });

let db: Kysely<Database>;
let ctx: DomainContext;
const readers: WorkerListReader[] = [];

beforeEach(async () => {
  db = await createTestDb();
  ctx = { db, clock: new FakeClock(), policy: defaultPolicy };
});

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.close();
  await db.destroy();
});

async function started(options: { timeoutMs?: number; path?: string } = {}): Promise<WorkerListReader> {
  const reader = new WorkerListReader(ctx, { databasePath: options.path ?? 'stand-in', entry: STAND_IN, timeoutMs: options.timeoutMs });
  readers.push(reader);
  await reader.start();
  return reader;
}

async function answer(reader: WorkerListReader, word = 'x'): Promise<{ now: number; policy: unknown; threadId: number }> {
  return JSON.parse((await reader.read(search(word))).toString()) as { now: number; policy: unknown; threadId: number };
}

/** Waits (bounded) until a restarted worker is ready again. */
async function workerAgain(reader: WorkerListReader): Promise<void> {
  for (let i = 0; i < 400 && reader.mode !== 'worker'; i++) await new Promise((r) => setTimeout(r, 25));
  expect(reader.mode).toBe('worker');
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('WorkerListReader', () => {
  it('reads through the worker at the main clock’s time, sending the policy first and again only when replaced', async () => {
    const reader = await started();
    expect(reader.mode).toBe('worker');
    const first = await answer(reader);
    expect(first).toMatchObject({ now: ctx.clock.now(), policy: defaultPolicy });
    expect(first.threadId).toBe(reader.thread!.threadId);
    (ctx.clock as FakeClock).advance(5000);
    expect(await answer(reader)).toMatchObject({ now: ctx.clock.now(), policy: null });
    ctx.policy = { ...defaultPolicy, dailyQuota: 7 };
    expect((await answer(reader)).policy).toEqual({ ...defaultPolicy, dailyQuota: 7 });
    expect((await answer(reader)).policy).toBeNull();
  });

  it('throws a domain error of the worker as the same DomainError', async () => {
    const reader = await started();
    const error = await failure(reader.read(search('domain-error')));
    expect(error).toMatchObject({ code: 'USER_LIST_INVALID', category: 'invalid', fr: 'fr', en: 'en', fields: [{ field: 'search', fr: 'a', en: 'b' }] });
  });

  it('fails a read left unanswered with LIST_READ_TIMEOUT (503), restarts the worker and reads through the new one', async () => {
    const reader = await started({ timeoutMs: 300 });
    const before = reader.thread!.threadId;
    const error = await failure(reader.read(search('hang')));
    expect(error).toMatchObject({ code: 'LIST_READ_TIMEOUT', category: 'unavailable' });
    await workerAgain(reader);
    const after = await answer(reader);
    expect(after.threadId).not.toBe(before);
    // The new worker has not seen the policy yet: it is sent again.
    expect(after.policy).toEqual(defaultPolicy);
  });

  it('fails every read in flight with LIST_READ_FAILED (503) when the worker dies, then restarts it', async () => {
    const reader = await started();
    const before = reader.thread!.threadId;
    const hanging = failure(reader.read(search('hang')));
    const crashing = failure(reader.read(search('crash')));
    for (const error of [await hanging, await crashing]) expect(error).toMatchObject({ code: 'LIST_READ_FAILED', category: 'unavailable' });
    await workerAgain(reader);
    expect((await answer(reader)).threadId).not.toBe(before);
  });

  it('fails a read in flight when the worker is killed, and serves from a new one', async () => {
    const reader = await started();
    const killed = reader.thread!;
    const hanging = failure(reader.read(search('hang')));
    await killed.terminate();
    expect(await hanging).toMatchObject({ code: 'LIST_READ_FAILED' });
    await workerAgain(reader);
    expect((await answer(reader)).threadId).not.toBe(killed.threadId);
  });

  it('reads in the main thread when the worker cannot start, and says why', async () => {
    const reader = await started({ path: 'fail' });
    expect(reader.mode).toBe('in-process (worker failed: stand-in told to fail)');
    expect(JSON.parse((await reader.read(search('nobody'))).toString())).toEqual({ items: [], total: 0, page: 1, pageSize: 50 });
  });

  it('ends the thread on close; a read in flight fails, later reads run in the main thread', async () => {
    const reader = await started();
    const thread = reader.thread!;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    const hanging = failure(reader.read(search('hang')));
    await reader.close();
    await exited;
    expect(await hanging).toMatchObject({ code: 'LIST_READ_FAILED' });
    expect(reader.mode).toBe('in-process (closed)');
    expect(JSON.parse((await reader.read(search('nobody'))).toString())).toMatchObject({ items: [], total: 0 });
  });
});
