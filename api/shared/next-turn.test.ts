import { describe, expect, it } from 'vitest';
import { nextTurn } from './next-turn.ts';

describe('nextTurn', () => {
  it('lets callbacks queued on the loop run before it resolves (awaiting a resolved promise does not)', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await Promise.resolve();
    expect(ran).toBe(false);
    await nextTurn();
    expect(ran).toBe(true);
  });
});
