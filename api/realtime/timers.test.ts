import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.ts';
import { ClockTimers } from './timers.ts';

const timersModule = fileURLToPath(new URL('./timers.ts', import.meta.url));

/**
 * Runs `body` in a fresh Node process that can read Node's own timer lists
 * (--expose-internals): what lingers there is invisible from this process's API.
 */
function inChild(body: string): { status: number | null; out: string; err: string } {
  const script = `
    import { createRequire } from 'node:module';
    import { ClockTimers } from ${JSON.stringify(timersModule)};
    const { timerListMap } = createRequire(import.meta.url)('internal/timers');
    const timers = new ClockTimers({ now: () => Date.now() });
    ${body}
  `;
  const run = spawnSync(process.execPath, ['--expose-internals', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, out: run.stdout.trim(), err: run.stderr };
}

describe('ClockTimers', () => {
  it('calls back once the clock has reached the instant, and not after a cancel', async () => {
    const timers = new ClockTimers(systemClock);
    const at = systemClock.now() + 20;
    const fired = await new Promise<number>((resolve) => timers.at(at, () => resolve(systemClock.now())));
    expect(fired).toBeGreaterThanOrEqual(at);

    let cancelledRan = false;
    const handle = timers.at(systemClock.now() + 5, () => (cancelledRan = true));
    timers.cancel(handle);
    timers.cancel(handle); // twice is harmless
    timers.cancel(null);
    await new Promise<void>((resolve) => timers.at(systemClock.now() + 30, resolve));
    expect(cancelledRan).toBe(false);
  });

  it('leaves no timer list behind for cancelled deadlines (each had its own delay)', () => {
    const run = inChild(`
      const start = Date.now();
      const handles = [];
      for (let i = 0; i < 500; i++) handles.push(timers.at(start + 3_600_000 + i * 7, () => {}));
      const during = Object.keys(timerListMap).length;
      for (const h of handles) timers.cancel(h);
      console.log(JSON.stringify({ during, after: Object.keys(timerListMap).length }));
    `);
    expect(run.err).toBe('');
    const lists = JSON.parse(run.out) as { during: number; after: number };
    expect(lists.during).toBeGreaterThan(400); // about one per deadline (two may share a delay)
    expect(lists.after).toBe(0);
  });

  it('still never keeps the process alive: a pending deadline beside cancelled ones lets it exit', () => {
    // Were the ref count left raised by cancel, this child would wait an hour (spawnSync's timeout kills it first).
    const run = inChild(`
      for (let i = 0; i < 50; i++) timers.cancel(timers.at(Date.now() + 60_000 + i, () => {}));
      timers.at(Date.now() + 3_600_000, () => console.log('fired'));
      console.log('done');
    `);
    expect(run.status).toBe(0);
    expect(run.out).toBe('done');
  });
});
