// Where a timed loop of an in-process bench script allocates (list-profile): V8's sampling
// heap profiler, keeping the samples of objects the GC has already collected, so the profile
// shows everything allocated (what makes scavenges), not only what is still alive at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Runs fn, sampling allocations when dir is set: `<dir>/<name>.heapprofile`; returns the bytes sampled (≈ allocated). */
export async function allocationSampled(dir: string | undefined, name: string, fn: () => Promise<void>): Promise<number | undefined> {
  if (!dir) {
    await fn();
    return undefined;
  }
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  let head: SamplingNode;
  try {
    await fn();
  } finally {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    head = profile.head as SamplingNode;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.heapprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  const total = (node: SamplingNode): number => node.selfSize + node.children.reduce((sum, child) => sum + total(child), 0);
  return total(head);
}
