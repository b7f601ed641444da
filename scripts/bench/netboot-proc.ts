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

/**
 * CPU seconds (user + system) of the tree: each live process's own time plus the time
 * of the children it has reaped (cutime/cstime), so a forked transfer that already
 * exited still counts, and nothing counts twice.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const stat = read(`/proc/${p}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS;
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

/** Watches a server during one measurement: CPU used and the peak RSS seen (sampled every 100 ms). */
export function watchProcess(pid: number): { stop(): { cpuSeconds: number; peakRssMiB: number } } {
  const cpuBefore = treeCpuSeconds(pid);
  let peak = treeRssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMiB(pid));
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, treeRssMiB(pid));
      return { cpuSeconds: treeCpuSeconds(pid) - cpuBefore, peakRssMiB: peak };
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
