// CPU and memory of a server process and its children, from /proc, for the netboot bench.
import { readFileSync } from 'node:fs';

const TICKS = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The process and its live descendants (nginx workers, tftpd-hpa's per-transfer children). */
export function processTree(pid: number): number[] {
  const seen: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.includes(next)) continue;
    seen.push(next);
    const children = read(`/proc/${next}/task/${next}/children`);
    if (children) queue.push(...children.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return seen.filter((p) => read(`/proc/${p}/stat`) !== undefined);
}

/** Resident memory of the tree in MiB (shared pages of forked children count once per process). */
export function treeRssMiB(pid: number): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    const line = read(`/proc/${p}/status`)?.split('\n').find((l) => l.startsWith('VmRSS:'));
    if (line) kib += Number(line.split(/\s+/)[1]);
  }
  return kib / 1024;
}

/** utime + stime of one process, in clock ticks; undefined once it is gone. */
function ownTicks(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/**
 * Watches a server during one measurement: CPU used and the peak RSS seen. The tree is
 * sampled every 20 ms and each process's last-seen CPU is kept, because tftpd-hpa
 * ignores SIGCHLD: its per-transfer children are reaped by the kernel and their time
 * never reaches the parent's cutime. A child that lives less than a sample period is
 * missed, so for a forking server the figure is a lower bound.
 */
export function watchProcess(pid: number): { stop(): { cpuSeconds: number; peakRssMiB: number } } {
  const baseline = new Map<number, number>();
  const last = new Map<number, number>();
  for (const p of processTree(pid)) baseline.set(p, ownTicks(p) ?? 0);
  let peak = treeRssMiB(pid);
  const sample = (): void => {
    for (const p of processTree(pid)) {
      const ticks = ownTicks(p);
      if (ticks !== undefined) last.set(p, ticks);
    }
  };
  const timer = setInterval(() => {
    sample();
    peak = Math.max(peak, treeRssMiB(pid));
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      peak = Math.max(peak, treeRssMiB(pid));
      let ticks = 0;
      for (const [p, t] of last) ticks += t - (baseline.get(p) ?? 0);
      return { cpuSeconds: ticks / TICKS, peakRssMiB: peak };
    },
  };
}

/** `1234.5` → `1,235`; small values keep one decimal. */
export function fmt(value: number, decimals = value < 100 ? 1 : 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
