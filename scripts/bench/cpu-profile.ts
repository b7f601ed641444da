// A V8 CPU profile of one timed loop of an in-process bench script (list-profile, hot-profile).
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Runs fn, under the V8 profiler when dir is set: the profile goes to `<dir>/<name>.cpuprofile`. */
export async function profiled(dir: string | undefined, name: string, fn: () => Promise<void>): Promise<void> {
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
